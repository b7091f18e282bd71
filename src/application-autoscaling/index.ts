export { applicationAutoScalingOperations } from './operations.ts';
export { applicationAutoScalingAccess } from './access.ts';
export { applicationAutoScalingMembers } from './members.ts';
export { policyAlarmActions } from './policy-actions.ts';
export { runScheduledActions } from './scheduled-actions.ts';
export { ValidationException } from './errors.ts';
export type { AutoScalingDeps, ScalableServices, AlarmControl } from './deps.ts';
export type * from './shapes.generated.ts';
