import type { TaskRecord } from '../store/index.ts';
import type { Container, HealthStatus, NetworkBinding, Task } from './shapes.generated.ts';

/** Task fields that are timestamps: stored as epoch milliseconds, answered as Dates. */
const DATE_FIELDS = [
  'createdAt',
  'pullStartedAt',
  'pullStoppedAt',
  'startedAt',
  'stoppingAt',
  'stoppedAt',
  'executionStoppedAt',
  'connectivityAt',
] as const;

/** What Berth keeps about a task beyond the API's Task shape (never answered to API callers). */
export interface TaskPlacementDetails {
  readonly networkMode: string;
  readonly revision: number;
  /** Host ports the placement gave each container (bridge and host mode). */
  readonly bindings: Readonly<Record<string, readonly NetworkBinding[]>>;
  readonly subnets?: readonly string[] | undefined;
  readonly securityGroups?: readonly string[] | undefined;
  /** Containers whose exit stops the task; the task's health follows theirs. */
  readonly essentialContainers?: readonly string[] | undefined;
}

export interface StoredTask {
  readonly task: Task;
  readonly details: TaskPlacementDetails;
}

/** The body stored for a task: the Task with epoch-millisecond timestamps, plus Berth's details. */
export function taskBody(task: Task, details: TaskPlacementDetails): Record<string, unknown> {
  const body: Record<string, unknown> = { ...task, berth: details };
  for (const field of DATE_FIELDS) {
    const value = task[field];
    if (value instanceof Date) body[field] = value.getTime();
  }
  return body;
}

export function storedTask(record: TaskRecord): StoredTask {
  const { berth, ...rest } = record.body as Record<string, unknown> & { berth: TaskPlacementDetails };
  const task: Record<string, unknown> = { ...rest };
  for (const field of DATE_FIELDS) {
    if (typeof task[field] === 'number') task[field] = new Date(task[field]);
  }
  return {
    task: { ...(task as Task), lastStatus: record.lastStatus, desiredStatus: record.desiredStatus },
    details: berth,
  };
}

/**
 * The Task as DescribeTasks answers it (tags only when asked). A container without a health check
 * reports UNKNOWN, as ECS shows it; the stored body leaves its healthStatus out, which is how the
 * task's health and the service scheduler tell the containers that have a check.
 */
export function toTask(record: TaskRecord, withTags: boolean): Task {
  const { task } = storedTask(record);
  const containers = task.containers?.map((c) =>
    c.healthStatus === undefined ? { ...c, healthStatus: 'UNKNOWN' as const } : c,
  );
  return { ...task, containers, tags: withTags ? (task.tags ?? []) : undefined };
}

/**
 * The task's health, as ECS derives it from its essential containers: UNHEALTHY if any is
 * unhealthy, HEALTHY when all those with a health check are healthy, else UNKNOWN.
 */
export function taskHealth(
  containers: readonly Container[],
  essential: ReadonlySet<string>,
  checked: ReadonlySet<string>,
): HealthStatus {
  const relevant = containers.filter((c) => essential.has(c.name ?? '') && checked.has(c.name ?? ''));
  if (relevant.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  if (relevant.length > 0 && relevant.every((c) => c.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}
