export { placeTasks, DYNAMIC_PORTS } from './place-tasks.ts';
export { seededRandom } from './seeded-random.ts';
export type * from './types.ts';
export { memberOf, targetOf } from './member-of.ts';
export {
  evaluateExpression,
  parseExpression,
  QueryParseError,
  type EvaluationTarget,
  type Expression,
} from './query/index.ts';
