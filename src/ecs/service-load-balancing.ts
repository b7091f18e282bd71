/**
 * Services behind Elastic Load Balancing target groups, the way ECS does it: a task's containers
 * become targets when the task is RUNNING (its container instance and host port in bridge and host
 * mode, its own address and the container port in awsvpc mode); a task the scheduler stops is
 * deregistered first and its containers are stopped only once the target has drained; a task counts
 * as healthy only while its targets are healthy. Pure functions here; the ELBv2 side is behind the
 * LoadBalancing port, which cmd/ wires to the load balancer.
 */
import type { TaskRecord } from '../store/index.ts';
import type { LoadBalancer } from './shapes.generated.ts';

export interface TargetRef {
  readonly targetGroupArn: string;
  /** An EC2 instance id (targetType instance) or an IPv4 address (targetType ip). */
  readonly id: string;
  readonly port: number;
}

/** ELBv2 target states (DescribeTargetHealth). */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetGroupInfo {
  readonly targetType: 'instance' | 'ip' | string;
  /** Load balancers with a listener or rule forwarding to the group. */
  readonly loadBalancerArns: readonly string[];
}

/** A target group of a weighted forward. */
export interface ForwardWeight {
  readonly targetGroupArn: string;
  readonly weight: number;
}

/** What the service scheduler needs of ELBv2. */
export interface LoadBalancing {
  targetGroup(arn: string): Promise<TargetGroupInfo | undefined>;
  /** Registers the target on behalf of a task (idempotent). */
  register(target: TargetRef, ownerTaskArn: string): Promise<void>;
  /** Starts draining the target (idempotent; nothing if it is not registered). */
  deregister(target: TargetRef): Promise<void>;
  /** The target's state now; undefined when it is not registered and not draining (anymore). */
  health(target: TargetRef): TargetHealthState | undefined;
  /** Why the target is in its state, as DescribeTargetHealth describes it ("Health checks failed with these codes: [500]"). */
  healthDescription?(target: TargetRef): string | undefined;
  /** Targets registered on behalf of tasks, by owner task ARN (what a service may need to clean up). */
  owned(targetGroupArn: string): Promise<readonly { readonly target: TargetRef; readonly ownerTaskArn: string }[]>;
  /**
   * The target groups a listener rule forwards to, with their weights (a listener ARN: its default
   * rule); undefined when there is no such rule, [] when it does not forward.
   */
  forwardOf(ruleOrListenerArn: string): Promise<readonly ForwardWeight[] | undefined>;
  /** Rewrites the rule's forward with these weights, as ModifyRule does (blue/green traffic shifts). */
  setForward(ruleOrListenerArn: string, weights: readonly ForwardWeight[]): Promise<void>;
  /**
   * Container instances were registered or deregistered (`attributeNames` undefined), or these
   * attributes of one were put or deleted: instance targets may be reached at another address.
   */
  instancesChanged?(attributeNames: readonly string[] | undefined): Promise<void>;
}

interface TaskBodyView {
  containers?: { name?: string; networkBindings?: { containerPort?: number; hostPort?: number }[] }[];
  attachments?: { type?: string; details?: { name?: string; value?: string }[] }[];
}

/**
 * A task's targets, one per load balancer of its service; undefined while they cannot be known yet
 * (no address or host port reported).
 */
export function targetsOfTask(
  task: TaskRecord,
  loadBalancers: readonly LoadBalancer[],
  at: { readonly networkMode: string; readonly ec2InstanceId: string | undefined },
): TargetRef[] | undefined {
  const body = task.body as TaskBodyView;
  const targets: TargetRef[] = [];
  for (const lb of loadBalancers) {
    if (!lb.targetGroupArn || lb.containerPort === undefined) continue;
    if (at.networkMode === 'awsvpc') {
      const eni = body.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
      const ip = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
      if (!ip) return undefined;
      targets.push({ targetGroupArn: lb.targetGroupArn, id: ip, port: lb.containerPort });
    } else {
      const container = body.containers?.find((c) => c.name === lb.containerName);
      const binding = container?.networkBindings?.find((b) => b.containerPort === lb.containerPort);
      if (!at.ec2InstanceId || binding?.hostPort === undefined) return undefined;
      targets.push({ targetGroupArn: lb.targetGroupArn, id: at.ec2InstanceId, port: binding.hostPort });
    }
  }
  return targets;
}

export type TargetsVerdict = 'healthy' | 'pending' | 'unhealthy';

/**
 * Whether a task's targets let it count as healthy: every one healthy (or not health checked, or
 * in a group no listener uses); unhealthy once one failed its checks; pending otherwise.
 */
export function targetsVerdict(states: readonly (TargetHealthState | undefined)[]): TargetsVerdict {
  if (states.some((s) => s === 'unhealthy')) return 'unhealthy';
  const fine = (s: TargetHealthState | undefined) => s === 'healthy' || s === 'unavailable' || s === 'unused';
  return states.every(fine) ? 'healthy' : 'pending';
}

const ELB_UNHEALTHY = 'Task failed ELB health checks in (target-group ';

/** The stop reason of a task the scheduler replaces for failing its target group's health checks (ECS's words). */
export const elbUnhealthyReason = (targetGroupArn: string): string => `${ELB_UNHEALTHY}${targetGroupArn})`;

export const isElbUnhealthyReason = (reason: string | undefined): boolean => reason?.startsWith(ELB_UNHEALTHY) ?? false;

/**
 * ECS's service event for a target that failed its health checks: "(service web) (task 0f1e…)
 * (port 8080) is unhealthy in (target-group arn…) due to (reason Health checks failed with these
 * codes: [500])." An instance target names the instance instead of the task.
 */
export function unhealthyTargetEvent(
  serviceName: string,
  at: { readonly taskId: string; readonly target: TargetRef; readonly instance: boolean; readonly reason: string },
): string {
  const who = at.instance ? `(instance ${at.target.id})` : `(task ${at.taskId})`;
  return `(service ${serviceName}) ${who} (port ${at.target.port}) is unhealthy in (target-group ${at.target.targetGroupArn}) due to (reason ${at.reason}).`;
}

/**
 * What one scheduler pass did to a service's targets, gathered so it is told in ECS's grouped
 * events rather than one per target.
 */
export interface TargetChanges {
  /** Target group ARN → targets registered in it. */
  readonly registered: Map<string, number>;
  /** Target group ARN → targets deregistered from it (draining started). */
  readonly deregistered: Map<string, number>;
  /** Tasks whose targets started draining. */
  readonly draining: Set<string>;
}

export const noTargetChanges = (): TargetChanges => ({
  registered: new Map(),
  deregistered: new Map(),
  draining: new Set(),
});

export function countTarget(counts: Map<string, number>, target: TargetRef): void {
  counts.set(target.targetGroupArn, (counts.get(target.targetGroupArn) ?? 0) + 1);
}

/**
 * ECS's service events for a pass's target changes, oldest first: "(service web) has begun draining
 * connections on 1 tasks.", "(service web) deregistered 1 targets in (target-group arn…)",
 * "(service web) registered 2 targets in (target-group arn…)" (ECS ends the last two without a period).
 */
export function targetEvents(serviceName: string, changes: TargetChanges): string[] {
  const service = `(service ${serviceName})`;
  const events: string[] = [];
  if (changes.draining.size > 0)
    events.push(`${service} has begun draining connections on ${changes.draining.size} tasks.`);
  for (const [group, count] of changes.deregistered)
    events.push(`${service} deregistered ${count} targets in (target-group ${group})`);
  for (const [group, count] of changes.registered)
    events.push(`${service} registered ${count} targets in (target-group ${group})`);
  return events;
}

export const sameTarget = (a: TargetRef, b: TargetRef): boolean =>
  a.targetGroupArn === b.targetGroupArn && a.id === b.id && a.port === b.port;

/** The ECS limit on load balancers (target groups) per service. */
export const MAX_LOAD_BALANCERS_PER_SERVICE = 5;

/**
 * What CreateService checks of its loadBalancers, as ECS words it; undefined when they are fine.
 * `groups` are the target groups the ELBv2 side knows (absent ones are not in the map).
 */
export function loadBalancersProblem(
  loadBalancers: readonly LoadBalancer[],
  definition: {
    readonly networkMode: string;
    readonly containers: readonly { name?: string; portMappings?: { containerPort?: number }[] }[];
  },
  groups: ReadonlyMap<string, TargetGroupInfo>,
): string | undefined {
  if (loadBalancers.length > MAX_LOAD_BALANCERS_PER_SERVICE)
    return `A service can have at most ${MAX_LOAD_BALANCERS_PER_SERVICE} target groups.`;
  for (const lb of loadBalancers) {
    if (lb.loadBalancerName && !lb.targetGroupArn)
      return 'Classic Load Balancers are not supported: use targetGroupArn with an Application Load Balancer.';
    if (!lb.targetGroupArn) return 'targetGroupArn is required for each load balancer.';
    if (!lb.containerName || lb.containerPort === undefined)
      return 'containerName and containerPort are required for each load balancer.';
    const container = definition.containers.find((c) => c.name === lb.containerName);
    if (!container) return `The container ${lb.containerName} does not exist in the task definition.`;
    if (!(container.portMappings ?? []).some((p) => p.containerPort === lb.containerPort))
      return `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`;
    const group = groups.get(lb.targetGroupArn);
    if (!group) return `The target group with targetGroupArn ${lb.targetGroupArn} does not exist.`;
    if (group.loadBalancerArns.length === 0)
      return `The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`;
    if (definition.networkMode === 'awsvpc' && group.targetType !== 'ip')
      return `The provided target group ${lb.targetGroupArn} has target type ${group.targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`;
    if (definition.networkMode !== 'awsvpc' && group.targetType === 'ip' && definition.networkMode !== 'host')
      return `The provided target group ${lb.targetGroupArn} has target type ip, which is incompatible with the ${definition.networkMode} network mode specified in the task definition.`;
  }
  return undefined;
}
