/*
 * Managed (FARGATE) capacity among several servers (issue #21; docs/multi-server.md): each
 * server's Docker engine is a capacity of its own, named by the server's data folder (stable
 * across restarts). A FARGATE task is placed on one live capacity (spread: the one running the
 * fewest), recorded in the task, and only that capacity runs it. A capacity silent longer than
 * BERTH_AGENT_LOST_SECONDS is lost, as a container instance whose agent stopped answering is:
 * services replace its tasks on the others. A server alone on its store has no roster: its one
 * managed capacity runs every FARGATE task, as before.
 */
import type { TaskRecord } from '../store/index.ts';

/** The roster of managed capacities, as the servers' presence in the store shows it. */
export interface ManagedCapacities {
  /** The capacities live now (their servers renewing their presence), in a stable order. */
  live(): readonly string[];
  /** Whether a capacity has been silent longer than the lost threshold. */
  lost(capacity: string): boolean;
}

/** What the agent channel and the lost check call a capacity's tasks' host. */
export const MANAGED_HOST_PREFIX = 'capacity:';

/**
 * The capacity a FARGATE task was placed on, if any (none: a single server's, or placed before):
 * kept in its reservation, which every read of tasks carries (the scheduler's light ones too).
 */
export function capacityOf(record: Pick<TaskRecord, 'reservation'>): string | undefined {
  return record.reservation.capacity;
}

/**
 * Spread (pure): each of `count` copies goes to the live capacity running the fewest unstopped
 * FARGATE tasks, counting the copies placed before it; ties go to the first in `live`'s order.
 */
export function spreadOverCapacities(
  live: readonly string[],
  load: ReadonlyMap<string, number>,
  count: number,
): string[] {
  const running = new Map(live.map((capacity) => [capacity, load.get(capacity) ?? 0]));
  const chosen: string[] = [];
  for (let copy = 0; copy < count; copy++) {
    let best: string | undefined;
    for (const [capacity, tasks] of running) if (best === undefined || tasks < running.get(best)!) best = capacity;
    if (best === undefined) break;
    chosen.push(best);
    running.set(best, running.get(best)! + 1);
  }
  return chosen;
}

/** Where `count` new FARGATE copies go: live capacities by spread, or unplaced when there is no roster. */
export async function placeManagedCopies(
  deps: {
    readonly managedCapacities?: ManagedCapacities | undefined;
    readonly store: { readonly tasks: { unstopped(where: { managed: true }): Promise<TaskRecord[]> } };
  },
  count: number,
): Promise<(string | undefined)[]> {
  const live = deps.managedCapacities?.live() ?? [];
  if (live.length === 0) return Array.from({ length: count }, () => undefined);
  const load = new Map<string, number>();
  for (const record of await deps.store.tasks.unstopped({ managed: true })) {
    const capacity = capacityOf(record);
    if (capacity !== undefined) load.set(capacity, (load.get(capacity) ?? 0) + 1);
  }
  return spreadOverCapacities(live, load, count);
}

/** Whether a capacity polling as `capacity` runs the task (placed on it, or placed on none). */
export function runsOnCapacity(record: TaskRecord, capacity: string | undefined): boolean {
  if (capacity === undefined) return true;
  const placed = capacityOf(record);
  return placed === undefined || placed === capacity;
}
