export { ecsOperations, type EcsDeps } from './operations.ts';
export { InvalidParameterException } from './errors.ts';
export * as ecsErrors from './errors.ts';
export type * from './shapes.generated.ts';
export { AgentChannel, MANAGED_CAPACITY } from './agent-channel.ts';
export { pollAssignments, type PollRequest, type PollResponse, type TaskAssignment } from './assignments.ts';
export { applyTaskReport, type ContainerReport, type InterfaceReport, type TaskReport } from './task-reports.ts';
export { isTaskStatus, type TaskStatus, type TaskStopCode } from './task-lifecycle.ts';
export { pruneStoppedTasks } from './task-pruning.ts';
