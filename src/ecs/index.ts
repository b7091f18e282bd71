export { ecsOperations, type EcsDeps } from './operations.ts';
export { ecsAccess } from './access.ts';
export { ecsMembers } from './members.ts';
export { InvalidParameterException } from './errors.ts';
export * as ecsErrors from './errors.ts';
export type * from './shapes.generated.ts';
export { AgentChannel, MANAGED_CAPACITY } from './agent-channel.ts';
export type { ManagedCapacities } from './managed-capacities.ts';
export {
  pollAssignments,
  type ExecSessionAssignment,
  type PollRequest,
  type PollResponse,
  type TaskAssignment,
} from './assignments.ts';
export { ExecSessions, type ExecSession } from './exec-sessions.ts';
export { ExecSessionHistory, EXEC_DOCUMENT_NAME, execSessionTarget } from './exec-session-history.ts';
export { type ExecuteCommandSupport } from './execute-command.ts';
export { EXECUTE_COMMAND_CAPABILITY } from './exec-agents.ts';
export { applyTaskReport, type ContainerReport, type InterfaceReport, type TaskReport } from './task-reports.ts';
export { isTaskStatus, type TaskStatus, type TaskStopCode } from './task-lifecycle.ts';
export { pruneStoppedTasks } from './task-pruning.ts';
export { agentTaskProtection } from './task-protection.ts';
export { reconcileServices } from './service-scheduler.ts';
export type { ClusterShards } from './cluster-shards.ts';
export type { LoadBalancing, TargetRef, TargetHealthState } from './service-load-balancing.ts';
export { ecsResourceTags } from './resource-tags.ts';
export {
  taskRoleCredentials,
  ECS_TASKS_SERVICE,
  type TaskCredentialsRequest,
  type TaskRoleCredentials,
  type TaskRoleKind,
  type TaskRoleSessions,
} from './task-credentials.ts';
export { ServiceRegistries, type ServiceDiscovery } from './service-registries.ts';
export {
  acceptTelemetry,
  TaskTelemetry,
  MAX_TELEMETRY_SAMPLES,
  type TaskUsageSample,
  type TaskMinuteUsage,
  type TelemetryRequest,
} from './task-telemetry.ts';
export { ecsMetricData, type ClusterCapacity, type InstanceCapacity } from './utilization-metrics.ts';
export { serviceDesiredCount, setServiceDesiredCount } from './service-scaling.ts';
