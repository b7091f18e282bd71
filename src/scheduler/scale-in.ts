import type { PlacementStrategy } from './types.ts';

/** A running task of a service, as scale-in sees it. */
export interface RunningTask {
  readonly taskArn: string;
  readonly instanceId: string;
  /** Attributes of the instance it runs on. */
  readonly attributes: ReadonlyMap<string, string | undefined>;
  /** Task scale-in protection: never chosen. */
  readonly protected: boolean;
  /** Remaining CPU and memory of its instance, for binpack in reverse. */
  readonly instanceCpu: number;
  readonly instanceMemory: number;
  /** Start time (ms): among equals, the newest goes first. */
  readonly startedAt: number;
}

/**
 * Which tasks a service stops when it scales in by `count`: the placement strategies in reverse.
 * Spread stops tasks from the value (zone, instance...) with the most of the service's tasks, so
 * what remains stays balanced; binpack stops tasks on the instances with the most left (emptying
 * the least packed); protected tasks are never chosen. Pure and deterministic.
 */
export function chooseTasksToStop(
  tasks: readonly RunningTask[],
  count: number,
  strategies: readonly PlacementStrategy[],
): string[] {
  const remaining = tasks.filter((t) => !t.protected);
  const chosen: string[] = [];
  const valueOf = (task: RunningTask, field: string): string =>
    field === 'instanceId' || field === 'host'
      ? task.instanceId
      : (task.attributes.get(field.replace(/^attribute:/, '')) ?? '\u0000none');
  while (chosen.length < count && remaining.length > 0) {
    // Counts per spread value among the tasks still running.
    const counts = new Map<string, Map<string, number>>();
    for (const strategy of strategies) {
      if (strategy.type !== 'spread') continue;
      const byValue = new Map<string, number>();
      for (const t of remaining)
        byValue.set(valueOf(t, strategy.field), (byValue.get(valueOf(t, strategy.field)) ?? 0) + 1);
      counts.set(strategy.field, byValue);
    }
    const score = (t: RunningTask): number[] =>
      strategies.map((strategy) => {
        switch (strategy.type) {
          case 'spread':
            return -(counts.get(strategy.field)!.get(valueOf(t, strategy.field)) ?? 0); // the most crowded first
          case 'binpack':
            return -(strategy.field === 'cpu' ? t.instanceCpu : t.instanceMemory); // the emptiest instance first
          case 'random':
            return 0;
        }
      });
    let best = 0;
    let bestScore = score(remaining[0]!);
    for (let i = 1; i < remaining.length; i++) {
      const s = score(remaining[i]!);
      if (isLess(s, bestScore) || (equal(s, bestScore) && isNewer(remaining[i]!, remaining[best]!))) {
        best = i;
        bestScore = s;
      }
    }
    chosen.push(remaining[best]!.taskArn);
    remaining.splice(best, 1);
  }
  return chosen;
}

function isLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return true;
    if (a[i]! > b[i]!) return false;
  }
  return false;
}

function equal(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, i) => v === b[i]);
}

function isNewer(a: RunningTask, b: RunningTask): boolean {
  return a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.taskArn > b.taskArn);
}
