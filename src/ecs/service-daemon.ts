import { planDaemon } from '../scheduler/index.ts';
import { DEFAULT_ECS_QUOTAS } from '../shared/ecs-quotas.ts';
import type { ServiceRecord, TaskRecord } from '../store/index.ts';
import { clusterSnapshot, placementConstraints } from './task-placement.ts';
import { effectiveContainers, taskNeeds } from './task-needs.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import type { Deployment, Service } from './shapes.generated.ts';
import type { PlanTask } from './service-plan.ts';
import { requestTaskStop, startTask, type TaskDeps } from './tasks.ts';
import type { RequestContext } from '../shared/request-context.ts';

export interface DaemonStep {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  /** Instances that should run the daemon: its desired count. */
  readonly desiredCount: number;
  /** Nothing started, stopped or left to start; only the primary's tasks hold a place, all RUNNING and healthy. */
  readonly steady: boolean;
}

export interface DaemonPass {
  /** The service's deployments as this pass has them: a rollback may have just made a new primary. */
  readonly deployments: readonly Deployment[];
  /** The service's tasks still wanted RUNNING. */
  readonly tasks: readonly TaskRecord[];
  /** How the scheduler sees each of them (service-task-health.ts): healthy, or to be replaced and why. */
  readonly health: ReadonlyMap<string, PlanTask>;
  /** False once the circuit breaker or an alarm failed the deployment: no new task starts. */
  readonly launch: boolean;
  readonly context: RequestContext;
}

/**
 * A DAEMON service: one task on every ACTIVE instance that meets its constraints, following
 * instances as they join, drain and leave. A new deployment replaces the task of each instance:
 * the old one stops, then the new one starts there (DAEMON's minimumHealthyPercent is 0 by default).
 * A task failing its health checks is replaced the same way.
 */
export async function reconcileDaemon(deps: TaskDeps, record: ServiceRecord, pass: DaemonPass): Promise<DaemonStep> {
  const { tasks, context } = pass;
  const primary = pass.deployments[0];
  const stopped: string[] = [];
  const stop = async (task: TaskRecord, reason: string) => {
    await requestTaskStop(deps, record.cluster, task.id, { stopCode: 'ServiceSchedulerInitiated', reason });
    stopped.push(task.id);
  };
  if (record.status === 'DRAINING' || !primary) {
    for (const task of tasks) await stop(task, 'Service is being deleted');
    return { started: [], stopped, desiredCount: 0, steady: false };
  }
  // Tasks of older deployments go first; their instances get the new revision on a later pass.
  for (const task of tasks.filter((t) => t.startedBy !== primary.id))
    await stop(task, `Scaling activity initiated by (deployment ${primary.id})`);
  const current = tasks.filter((t) => t.startedBy === primary.id);
  for (const task of current) {
    const view = pass.health.get(task.id);
    if (view?.unhealthy) await stop(task, view.unhealthyReason!);
  }
  const placing = await planPlacement(deps, record, primary);
  if (!placing) return { started: [], stopped, desiredCount: 0, steady: false };
  const { plan, snapshots, group } = placing;
  for (const task of surplusTasks(plan.stop, current, snapshots))
    if (!stopped.includes(task.id)) await stop(task, 'The container instance no longer runs this daemon');
  // An unhealthy task's instance gets its replacement on a later pass, once the task has stopped.
  const launch = pass.launch && stopped.length === 0;
  const started = launch ? await startOn(deps, record, primary, plan.start, context) : [];
  const left = current.filter((t) => !stopped.includes(t.id));
  const desiredCount = left.length + plan.start.length;
  // Settled: the primary's tasks alone hold a place (the ones they replace have stopped), all healthy.
  const placed = snapshots.reduce((n, s) => n + (s.groupCounts.get(group) ?? 0), 0);
  const settled = placed === left.length && left.every((t) => pass.health.get(t.id)?.healthy === true);
  return {
    started,
    stopped,
    desiredCount,
    steady: started.length === 0 && stopped.length === 0 && plan.start.length === 0 && settled,
  };
}

/**
 * Which of a DAEMON service's older deployments leave after a pass (those with no task left, but
 * the last COMPLETED one while the primary rolls out: a rollback returns to it), and whether the
 * primary's rollout completes (steady, and no older deployment has a task left). Pure.
 */
export function daemonRollout(
  deployments: readonly Deployment[],
  at: { readonly hasTasks: (deployment: string) => boolean; readonly steady: boolean },
): { readonly retire: string[]; readonly complete: boolean } {
  const [primary, ...olds] = deployments;
  const inProgress = primary?.rolloutState === 'IN_PROGRESS';
  const complete = inProgress && at.steady && !olds.some((d) => at.hasTasks(d.id!));
  const rollbackTarget = inProgress && !complete ? olds.find((d) => d.rolloutState === 'COMPLETED') : undefined;
  return {
    retire: olds.filter((d) => d !== rollbackTarget && !at.hasTasks(d.id!)).map((d) => d.id!),
    complete,
  };
}

/** Where the primary deployment's revision should start and stop (planDaemon on a cluster snapshot). */
async function planPlacement(deps: TaskDeps, record: ServiceRecord, primary: Deployment) {
  const service = record.body as Service;
  const definitionRecord = await findTaskDefinition(deps, primary.taskDefinition!);
  if (!definitionRecord) return undefined;
  const definition = toTaskDefinition(definitionRecord);
  const group = `service:${record.name}`;
  const needs = taskNeeds({
    definition,
    containers: effectiveContainers(definition, undefined),
    overrides: undefined,
    group,
  });
  const constraints = placementConstraints(
    definition.placementConstraints ?? [],
    service.placementConstraints ?? [],
    (deps.quotas ?? DEFAULT_ECS_QUOTAS).placementConstraints,
  );
  const { snapshots } = await clusterSnapshot(deps, record.cluster);
  return { plan: planDaemon(snapshots, needs, constraints), snapshots, group };
}

/** StartTask of the primary deployment's revision on each instance. */
async function startOn(
  deps: TaskDeps,
  record: ServiceRecord,
  primary: Deployment,
  instances: readonly string[],
  context: RequestContext,
): Promise<string[]> {
  const service = record.body as Service;
  const started: string[] = [];
  for (const arn of instances) {
    const { tasks = [] } = await startTask(
      deps,
      {
        cluster: record.cluster,
        taskDefinition: primary.taskDefinition!,
        containerInstances: [arn],
        startedBy: primary.id!,
        group: `service:${record.name}`,
        enableExecuteCommand: service.enableExecuteCommand ?? false,
        ...(service.propagateTags === 'SERVICE' ? { tags: service.tags ?? [] } : {}),
      },
      context,
      { serviceName: record.name, allowInactiveDefinition: true },
    );
    started.push(...tasks.map((t) => t.taskArn!.split('/').at(-1)!));
  }
  return started;
}

/** On instances that no longer qualify, every task of the daemon; on the others, all but the oldest. */
function surplusTasks(
  arns: readonly string[],
  current: readonly TaskRecord[],
  snapshots: readonly { arn: string; status: string }[],
): TaskRecord[] {
  const surplus: TaskRecord[] = [];
  for (const arn of arns) {
    const id = arn.split('/').at(-1)!;
    const onInstance = current
      .filter((t) => t.containerInstance === id)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const eligible = snapshots.some((s) => s.arn === arn && s.status === 'ACTIVE');
    surplus.push(...(eligible ? onInstance.slice(1) : onInstance));
  }
  return surplus;
}
