export { cloudWatchOperations } from './operations.ts';
export { cloudWatchAccess, alarmArn } from './access.ts';
export { cloudWatchMembers } from './members.ts';
export type { CloudWatchDeps } from './deps.ts';
export { InvalidParameterValueException } from './errors.ts';
export { pruneExpiredMetrics } from './retention.ts';
export type * from './shapes.generated.ts';
export { evaluateAlarms } from './alarms/alarm-evaluator.ts';
export { noAlarmActions, type AlarmActionSink, type AlarmTransition } from './alarms/action-sink.ts';
