import { planDaemon } from '../scheduler/index.ts';
import { DEFAULT_ECS_QUOTAS } from '../shared/ecs-quotas.ts';
import type { ServiceRecord, TaskRecord } from '../store/index.ts';
import { clusterSnapshot, placementConstraints } from './task-placement.ts';
import { effectiveContainers, taskNeeds } from './task-needs.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import type { Deployment, Service } from './shapes.generated.ts';
import { requestTaskStop, startTask, type TaskDeps } from './tasks.ts';
import type { RequestContext } from '../shared/request-context.ts';

export interface DaemonStep {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  /** Instances that should run the daemon: its desired count. */
  readonly desiredCount: number;
  readonly steady: boolean;
}

/**
 * A DAEMON service: one task on every ACTIVE instance that meets its constraints, following
 * instances as they join, drain and leave. A new deployment replaces the task of each instance:
 * the old one stops, then the new one starts there (DAEMON's minimumHealthyPercent is 0 by default).
 */
export async function reconcileDaemon(
  deps: TaskDeps,
  record: ServiceRecord,
  tasks: readonly TaskRecord[],
  context: RequestContext,
): Promise<DaemonStep> {
  const service = record.body as Service;
  const primary = ((service.deployments ?? []) as Deployment[])[0];
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
  const definitionRecord = await findTaskDefinition(deps, primary.taskDefinition!);
  if (!definitionRecord) return { started: [], stopped, desiredCount: 0, steady: false };
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
  const plan = planDaemon(snapshots, needs, constraints);
  for (const task of surplusTasks(plan.stop, current, snapshots))
    await stop(task, 'The container instance no longer runs this daemon');
  const started = stopped.length === 0 ? await startOn(deps, record, primary, plan.start, context) : [];
  const desiredCount = current.length - stopped.length + plan.start.length;
  const settled = current.every((t) => t.lastStatus === 'RUNNING');
  return { started, stopped, desiredCount, steady: started.length === 0 && stopped.length === 0 && settled };
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
