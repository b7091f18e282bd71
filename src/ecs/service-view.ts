import type { ServiceRecord, TaskStatuses } from '../store/index.ts';
import type { Deployment, Service, ServiceEvent } from './shapes.generated.ts';
import type { TaskDeps } from './tasks.ts';
import { storedTaskSets, taskSetView } from './task-sets.ts';

/** Epoch milliseconds back to Dates, for the fields ECS answers as timestamps. */
function dated<T extends object>(value: T, fields: readonly string[]): T {
  const out = { ...value } as Record<string, unknown>;
  for (const field of fields) if (typeof out[field] === 'number') out[field] = new Date(out[field]);
  return out as T;
}

/** Counts of a set of tasks as ECS shows them: RUNNING ones, and those on their way (not yet RUNNING). */
export function taskCounts(tasks: readonly TaskStatuses[]): { running: number; pending: number } {
  let running = 0;
  let pending = 0;
  for (const task of tasks) {
    if (task.desiredStatus !== 'RUNNING') continue;
    if (task.lastStatus === 'RUNNING') running++;
    else if (task.lastStatus !== 'STOPPED') pending++;
  }
  return { running, pending };
}

/** A service as DescribeServices answers it: counts from its tasks, never stored copies. */
export async function serviceView(deps: TaskDeps, record: ServiceRecord, withTags: boolean): Promise<Service> {
  const service = dated(record.body as Service & { clientToken?: string }, ['createdAt']);
  const tasks = await deps.store.tasks.serviceStatuses(record.cluster, record.name);
  const total = taskCounts(tasks);
  const rest: Service & { clientToken?: string; steady?: boolean; deploymentHistory?: unknown } = { ...service };
  delete rest.clientToken;
  delete rest.steady;
  delete rest.deploymentHistory;
  return {
    ...rest,
    status: record.status,
    runningCount: total.running,
    pendingCount: total.pending,
    deployments: ((service.deployments ?? []) as Deployment[]).map((d) => {
      const counts = taskCounts(tasks.filter((t) => t.startedBy === d.id));
      // Berth's blue/green bookkeeping (service-blue-green.ts) is not part of ECS's Deployment.
      const view: Deployment & {
        targetGroups?: unknown;
        shift?: unknown;
        lifecycleStage?: unknown;
        serviceRegistries?: unknown;
        alarmWatch?: unknown;
      } = {
        ...dated(d, ['createdAt', 'updatedAt']),
        runningCount: counts.running,
        pendingCount: counts.pending,
      };
      delete view.targetGroups;
      delete view.shift;
      delete view.lifecycleStage;
      delete view.serviceRegistries;
      delete view.alarmWatch;
      return view;
    }),
    events: ((service.events ?? []) as ServiceEvent[]).map((e) => dated(e, ['createdAt'])),
    ...(service.taskSets
      ? { taskSets: storedTaskSets(service).map((set) => taskSetView(set, { service, tasks, withTags: false })) }
      : {}),
    ...(withTags ? { tags: service.tags ?? [] } : { tags: undefined }),
  };
}
