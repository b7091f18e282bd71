/**
 * What the scheduler does for a service with the EXTERNAL deployment controller, as a pure
 * function of its task sets and tasks. Each task set is kept at its computed desired count
 * (ceil(service desiredCount x scale / 100)), like a deployment of its own; a DRAINING task set
 * (DeleteTaskSet) is kept at 0 and leaves the service once its last task is gone.
 */
import type { PlanTask } from './service-plan.ts';
import { CONTAINER_HEALTH_CHECKS_REASON } from './service-task-health.ts';

/** ECS's count for a task set: 4 tasks x 50% = 2; 3 x 50% = 1.5 → 2 (rounded up). */
export function computedDesiredCount(desiredCount: number, scalePercent: number): number {
  return Math.ceil((desiredCount * scalePercent) / 100);
}

export interface PlanTaskSet {
  readonly id: string;
  /** What it should run: 0 once DRAINING. */
  readonly computedDesiredCount: number;
  readonly draining: boolean;
}

export interface TaskSetPlan {
  readonly start: readonly { readonly taskSet: string; readonly count: number }[];
  readonly stop: readonly { readonly id: string; readonly reason: string }[];
  /** Task sets whose tasks are all RUNNING and healthy, as many as they should run. */
  readonly steady: ReadonlySet<string>;
  /** DRAINING task sets with no task left: they leave the service. */
  readonly gone: readonly string[];
}

/** Pending and unhealthy first, then the newest: what ECS stops first when it has a choice. */
function stopOrder(a: PlanTask, b: PlanTask): number {
  const rank = (t: PlanTask) => (t.unhealthy ? 0 : t.lastStatus !== 'RUNNING' ? 1 : 2);
  return rank(a) - rank(b) || b.createdAt - a.createdAt;
}

export function planTaskSets(
  taskSets: readonly PlanTaskSet[],
  tasks: readonly PlanTask[],
  options: { readonly draining: boolean },
): TaskSetPlan {
  const start: { taskSet: string; count: number }[] = [];
  const stop: { id: string; reason: string }[] = [];
  const steady = new Set<string>();
  const gone: string[] = [];
  const known = new Set(taskSets.map((s) => s.id));
  // A task no task set owns (its set left the service) is stopped.
  for (const task of tasks.filter((t) => t.deployment === undefined || !known.has(t.deployment)))
    stop.push({ id: task.id, reason: `Scaling activity initiated by (deployment ${task.deployment ?? 'unknown'})` });
  for (const set of taskSets) {
    const mine = tasks.filter((t) => t.deployment === set.id);
    if (set.draining && mine.length === 0) {
      gone.push(set.id);
      continue;
    }
    const desired = options.draining ? 0 : set.computedDesiredCount;
    const reason = `Scaling activity initiated by (deployment ${set.id})`;
    const before = stop.length;
    for (const task of mine.filter((t) => t.unhealthy))
      stop.push({ id: task.id, reason: task.unhealthyReason ?? CONTAINER_HEALTH_CHECKS_REASON });
    const kept = mine.filter((t) => !t.unhealthy);
    // Scale in: the surplus goes, pending first; protected tasks stay unless the set is drained.
    const surplus = kept
      .filter((t) => set.draining || options.draining || !t.protected)
      .sort(stopOrder)
      .slice(0, Math.max(0, kept.length - desired));
    stop.push(...surplus.map((t) => ({ id: t.id, reason })));
    const missing = desired - kept.length;
    if (missing > 0) start.push({ taskSet: set.id, count: missing });
    const healthy = kept.filter((t) => t.healthy).length;
    if (stop.length === before && missing <= 0 && healthy === desired && kept.length === desired) steady.add(set.id);
  }
  return { start, stop, steady, gone };
}
