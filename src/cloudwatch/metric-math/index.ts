export { parseExpression, ExpressionError, MAX_EXPRESSION_LENGTH, type Node } from './parse.ts';
export { evaluate, type EvaluationContext } from './evaluate.ts';
export type { Series, Value } from './values.ts';
