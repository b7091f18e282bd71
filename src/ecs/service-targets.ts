/**
 * One service's side of its load balancers, each scheduler pass (level-triggered like the rest):
 * RUNNING tasks are registered, targets of tasks that are gone are deregistered, tasks being
 * deactivated are stopped once their targets have drained, and each task gets a verdict from its
 * targets' health.
 */
import type { TaskRecord } from '../store/index.ts';
import type { LoadBalancer, Service } from './shapes.generated.ts';
import {
  targetsOfTask,
  targetsVerdict,
  elbUnhealthyReason,
  unhealthyTargetEvent,
  countTarget,
  type LoadBalancing,
  type TargetChanges,
  type TargetRef,
  type TargetsVerdict,
} from './service-load-balancing.ts';
import { finishDeactivation, requestTaskStop, type TaskDeps } from './tasks.ts';

export interface TargetVerdict {
  readonly verdict: TargetsVerdict;
  /** The stop reason when unhealthy. */
  readonly reason?: string;
  /** The service event when unhealthy (ECS's "… is unhealthy in (target-group …) due to …"). */
  readonly event?: string;
}

export interface ServiceTargetsInput {
  readonly cluster: string;
  readonly service: Service;
  /** The service's unstopped tasks: wanted RUNNING, and being deactivated. */
  readonly tasks: readonly TaskRecord[];
  /** Container instance id → its EC2 instance id (instance targets). */
  readonly ec2InstanceIds: ReadonlyMap<string, string>;
  /**
   * A task's load balancers when they depend on its deployment (blue/green: each deployment has
   * its target groups); the service's otherwise.
   */
  readonly loadBalancersOfTask?: ((task: TaskRecord) => readonly LoadBalancer[]) | undefined;
  /** Every target group the service's tasks may be in (the service's, and blue/green alternates). */
  readonly targetGroups?: readonly string[] | undefined;
  /** Where the pass counts what it registered and deregistered, for its service events. */
  readonly changes?: TargetChanges | undefined;
}

export const loadBalancersOf = (service: Service): readonly LoadBalancer[] =>
  (service.loadBalancers ?? []).filter((lb) => lb.targetGroupArn !== undefined);

function networkModeOf(task: TaskRecord): string {
  return ((task.body as { berth?: { networkMode?: string } }).berth?.networkMode ?? 'bridge') as string;
}

function targetsOf(task: TaskRecord, input: ServiceTargetsInput): TargetRef[] | undefined {
  const loadBalancers = input.loadBalancersOfTask?.(task) ?? loadBalancersOf(input.service);
  return targetsOfTask(task, loadBalancers, {
    networkMode: networkModeOf(task),
    ec2InstanceId: task.containerInstance ? input.ec2InstanceIds.get(task.containerInstance) : undefined,
  });
}

/** The stop reason and the service event of a task whose target failed its health checks. */
function failure(
  balancing: LoadBalancing,
  input: ServiceTargetsInput,
  task: TaskRecord,
  target: TargetRef,
): { reason: string; event: string } {
  // Instance targets are EC2 instance ids (i-…); ip targets are addresses.
  const instance = target.id.startsWith('i-');
  return {
    reason: elbUnhealthyReason(target.targetGroupArn),
    event: unhealthyTargetEvent(input.service.serviceName ?? '', {
      taskId: task.id,
      target,
      instance,
      reason: balancing.healthDescription?.(target) ?? 'Health checks failed',
    }),
  };
}

/**
 * Registers and deregisters, stops drained tasks; returns each RUNNING task's verdict (a task
 * without one is not RUNNING yet, or its targets are not known yet: pending).
 */
export async function syncServiceTargets(
  deps: TaskDeps,
  balancing: LoadBalancing,
  input: ServiceTargetsInput,
): Promise<Map<string, TargetVerdict>> {
  const verdicts = new Map<string, TargetVerdict>();
  const running = input.tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING');
  const live = new Set(running.map((t) => t.arn));
  for (const task of running) {
    const targets = targetsOf(task, input);
    if (!targets) continue;
    for (const target of targets) {
      const state = balancing.health(target);
      if (state !== undefined && state !== 'draining') continue;
      await balancing.register(target, task.arn);
      if (input.changes) countTarget(input.changes.registered, target);
    }
    const states = targets.map((t) => balancing.health(t));
    const verdict = targetsVerdict(states);
    const failing = targets.find((_, i) => states[i] === 'unhealthy');
    verdicts.set(task.id, { verdict, ...(failing ? failure(balancing, input, task, failing) : {}) });
  }
  // Targets of tasks that stopped or are going away: deregistered (draining starts).
  const groups = new Set(input.targetGroups ?? loadBalancersOf(input.service).map((lb) => lb.targetGroupArn!));
  for (const group of groups) {
    for (const { target, ownerTaskArn } of await balancing.owned(group)) {
      if (live.has(ownerTaskArn)) continue;
      await balancing.deregister(target);
      input.changes?.draining.add(ownerTaskArn);
      if (input.changes) countTarget(input.changes.deregistered, target);
    }
  }
  // Deactivating tasks whose targets have drained: now their containers stop.
  for (const task of input.tasks.filter((t) => t.lastStatus === 'DEACTIVATING')) {
    const states = (targetsOf(task, input) ?? []).map((t) => balancing.health(t));
    if (states.every((s) => s === undefined)) await finishDeactivation(deps, input.cluster, task.id);
  }
  return verdicts;
}

/**
 * Stops a service task: one behind a load balancer that is RUNNING is deactivated (deregistered,
 * its containers stopped once drained); any other is stopped at once.
 */
export async function stopServiceTask(
  deps: TaskDeps,
  balancing: LoadBalancing | undefined,
  input: ServiceTargetsInput,
  stop: { readonly id: string; readonly reason: string },
): Promise<void> {
  const task = input.tasks.find((t) => t.id === stop.id);
  const deactivate = balancing && task ? await leaveRotation(balancing, task, input) : false;
  await requestTaskStop(deps, input.cluster, stop.id, {
    stopCode: 'ServiceSchedulerInitiated',
    reason: stop.reason,
    deactivate,
  });
}

/**
 * Takes a RUNNING task out of its target groups (draining starts); true when it had targets, and
 * must then stay DEACTIVATING until they have drained.
 */
export async function leaveRotation(
  balancing: LoadBalancing,
  task: TaskRecord,
  input: ServiceTargetsInput,
): Promise<boolean> {
  if (task.lastStatus !== 'RUNNING') return false;
  const targets = targetsOf(task, input) ?? [];
  for (const target of targets) {
    const state = balancing.health(target);
    await balancing.deregister(target);
    if (!input.changes || state === undefined || state === 'draining') continue;
    input.changes.draining.add(task.arn);
    countTarget(input.changes.deregistered, target);
  }
  return targets.length > 0;
}
