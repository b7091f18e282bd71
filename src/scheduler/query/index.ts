export {
  MAX_EXPRESSION_LENGTH,
  parseExpression,
  QueryParseError,
  type ComparisonCondition,
  type Condition,
  type EqualityOperator,
  type ExistsCondition,
  type Expression,
  type FieldName,
  type ListCondition,
  type Literal,
  type MatchCondition,
  type Operator,
  type OrderingOperator,
  type Subject,
} from './parse-expression.ts';
export { evaluateExpression, type EvaluationTarget } from './evaluate-expression.ts';
