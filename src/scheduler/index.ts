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
export { planDaemon, type DaemonPlan } from './daemon.ts';
export { chooseTasksToStop, type RunningTask } from './scale-in.ts';
export { unplacedMessage } from './unplaced-message.ts';
