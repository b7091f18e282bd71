/**
 * One scheduler pass for a service with the EXTERNAL deployment controller: its task sets, not
 * the service, own tasks. Each task set's tasks are started with startedBy = the task set id,
 * registered in the task set's own target groups, and kept at the set's computed count
 * (task-set-plan.ts); a DRAINING set's tasks are drained from their target groups and stopped.
 */
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord, TaskRecord } from '../store/index.ts';
import { unplacedMessage } from '../scheduler/index.ts';
import { addEvent, passEvents, taskEvent } from './service-events.ts';
import { noTargetChanges } from './service-load-balancing.ts';
import { stopServiceTask, syncServiceTargets, type ServiceTargetsInput } from './service-targets.ts';
import { lostAgent, planTask } from './service-task-health.ts';
import type { LoadBalancer, Service, ServiceEvent, TaskSet } from './shapes.generated.ts';
import { computedDesiredCount, planTaskSets } from './task-set-plan.ts';
import { storedTaskSets, type StoredTaskSet } from './task-sets.ts';
import { runTask, type TaskDeps } from './tasks.ts';

const DEFAULT_SPREAD = [
  { type: 'spread' as const, field: 'attribute:ecs.availability-zone' },
  { type: 'spread' as const, field: 'instanceId' },
];

const targetGroupsOf = (set: StoredTaskSet): LoadBalancer[] =>
  (set.loadBalancers ?? []).filter((lb) => lb.targetGroupArn !== undefined);

export interface TaskSetPass {
  /** The service as the pass leaves it (task sets' stability, DRAINING ones gone, events). */
  readonly service: Service;
  readonly steady: boolean;
  /** DRAINING service with no task left. */
  readonly inactive: boolean;
}

export async function reconcileTaskSets(
  deps: TaskDeps,
  record: ServiceRecord,
  at: { own: readonly TaskRecord[]; context: RequestContext },
): Promise<TaskSetPass> {
  const service = { ...(record.body as Service) };
  const now = deps.clock.now();
  const sets = storedTaskSets(service);
  const own = at.own;
  const balancing = sets.some((s) => targetGroupsOf(s).length > 0) ? deps.loadBalancing : undefined;
  const targetsInput: ServiceTargetsInput = {
    cluster: record.cluster,
    service,
    tasks: balancing
      ? await deps.store.tasks.get(
          record.cluster,
          own.map((t) => t.id),
        )
      : own,
    ec2InstanceIds: new Map<string, string>(),
    loadBalancersOfTask: (task) => {
      const set = sets.find((s) => s.id === task.startedBy);
      return set ? targetGroupsOf(set) : [];
    },
    targetGroups: sets.flatMap((s) => targetGroupsOf(s).map((lb) => lb.targetGroupArn!)),
    changes: noTargetChanges(),
  };
  const targets = balancing ? await syncServiceTargets(deps, balancing, targetsInput) : undefined;
  const tasks = own.filter((t) => t.desiredStatus === 'RUNNING');
  const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  const health = { now, primary: undefined, draining: new Set<string>(), graceMs, targets, lost: lostAgent(deps) };
  const plan = planTaskSets(
    sets.map((s) => ({
      id: s.id!,
      computedDesiredCount:
        s.status === 'DRAINING' ? 0 : computedDesiredCount(service.desiredCount ?? 0, s.scale?.value ?? 0),
      draining: s.status === 'DRAINING',
    })),
    tasks.map((t) => planTask(t, health)),
    { draining: record.status === 'DRAINING' },
  );
  for (const stop of plan.stop) await stopServiceTask(deps, balancing, targetsInput, stop);
  let events = passEvents(record.name, (service.events ?? []) as ServiceEvent[], {
    changes: targetsInput.changes!,
    stops: plan.stop,
    targets,
    messages: [],
    now,
  });
  for (const start of plan.start) {
    const set = sets.find((s) => s.id === start.taskSet)!;
    events = await startTaskSetTasks(deps, record, { service, set, count: start.count, events, context: at.context });
  }
  const stamp = now.getTime();
  const next = sets
    .filter((s) => !plan.gone.includes(s.id!))
    .map((s) => {
      const stability = plan.steady.has(s.id!) ? 'STEADY_STATE' : 'STABILIZING';
      return s.stabilityStatus === stability ? s : { ...s, stabilityStatus: stability, stabilityStatusAt: stamp };
    });
  return {
    service: { ...service, events, taskSets: next as unknown as TaskSet[] },
    steady:
      sets.length > 0 && plan.start.length === 0 && plan.stop.length === 0 && next.every((s) => plan.steady.has(s.id!)),
    inactive: record.status === 'DRAINING' && tasks.length === 0,
  };
}

async function startTaskSetTasks(
  deps: TaskDeps,
  record: ServiceRecord,
  at: { service: Service; set: StoredTaskSet; count: number; events: ServiceEvent[]; context: RequestContext },
): Promise<ServiceEvent[]> {
  const { service, set } = at;
  let events = at.events;
  const started: string[] = [];
  for (let left = at.count; left > 0; left -= 10) {
    const { tasks = [], failures = [] } = await runTask(
      deps,
      {
        cluster: record.cluster,
        taskDefinition: set.taskDefinition!,
        count: Math.min(10, left),
        ...(set.capacityProviderStrategy
          ? { capacityProviderStrategy: set.capacityProviderStrategy }
          : { launchType: set.launchType ?? 'EC2' }),
        ...(set.networkConfiguration ? { networkConfiguration: set.networkConfiguration } : {}),
        placementConstraints: service.placementConstraints ?? [],
        placementStrategy: service.placementStrategy?.length ? service.placementStrategy : DEFAULT_SPREAD,
        startedBy: set.id!,
        group: `service:${record.name}`,
        ...(service.propagateTags === 'SERVICE' ? { tags: service.tags ?? [] } : {}),
        ...(service.propagateTags === 'TASK_DEFINITION' ? { propagateTags: 'TASK_DEFINITION' as const } : {}),
      },
      at.context,
      { serviceName: record.name, allowInactiveDefinition: true },
    );
    started.push(...tasks.map((t) => t.taskArn!.split('/').at(-1)!));
    if (failures.length > 0) {
      const message = unplacedMessage(
        record.name,
        failures.map((f) => ({ arn: f.arn, reason: f.reason ?? '' })),
      ).replace(/^service \S+/, `(service ${record.name})`);
      events = addEvent(events, message, deps.clock.now());
      break;
    }
  }
  if (started.length > 0) events = addEvent(events, taskEvent(record.name, 'started', started), deps.clock.now());
  return events;
}
