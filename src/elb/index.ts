export { elbOperations } from './operations.ts';
export { elbAccess } from './access.ts';
export { elbMembers } from './members.ts';
export type { ElbDeps } from './commit.ts';
export { HOST_ADDRESS_ATTRIBUTE } from './commit.ts';
export { Elb, certificateUsers, type ServiceTarget } from './service-targets.ts';
export { StaticDataPlane } from './static-data-plane.ts';
export { buildDataPlaneConfig } from './data-plane-config.ts';
export { ValidationError } from './errors.ts';
export * as elbErrors from './errors.ts';
export {
  ListenerPortInUseError,
  type DataPlane,
  type DataPlaneConfig,
  type HealthCheckConfig,
  type ListenerConfig,
  type RuleAction,
  type RuleConfig,
  type RuleCondition as DataPlaneRuleCondition,
  type TargetConfig,
  type TargetGroupConfig,
  type TargetHealthView,
  type TargetState,
} from './data-plane-contract.ts';
export type * from './shapes.generated.ts';
export { elbResourceTags } from './resource-tags-lookup.ts';
export type { LoadBalancerTraffic, TargetGroupTraffic } from './data-plane-contract.ts';
export {
  elbMetricData,
  loadBalancerDimension,
  targetGroupDimension,
  type ConnectionCarry,
} from './load-balancer-metrics.ts';
export { RemoteDataPlane } from './remote-data-plane.ts';
export { SharedTargetHealth, chooseHealth } from './shared-target-health.ts';
export { mergeTakes } from './traffic-merge.ts';
export {
  configHash,
  LB_PROTOCOL,
  type LbApplyResult,
  type LbHello,
  type LbPollAnswer,
  type LbReport,
} from './lb-protocol.ts';
