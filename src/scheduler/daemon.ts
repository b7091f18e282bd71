import { placeTasks } from './place-tasks.ts';
import type { InstanceSnapshot, PlacementConstraint, PlacementReason, TaskNeeds } from './types.ts';

export interface DaemonPlan {
  /** Instances that should get the daemon's task (ACTIVE, meeting its constraints and resources, without one). */
  readonly start: readonly string[];
  /** Instances whose daemon task should stop (draining, gone inactive, or no longer meeting a constraint). */
  readonly stop: readonly string[];
  /** Instances that should run it but cannot fit it, with why. */
  readonly unplaceable: readonly { readonly arn: string; readonly reason: PlacementReason | string }[];
}

/**
 * DAEMON scheduling: exactly one task of the group on every ACTIVE instance that meets the
 * constraints. `running` counts the daemon's tasks per instance (from groupCounts).
 */
export function planDaemon(
  instances: readonly InstanceSnapshot[],
  needs: TaskNeeds,
  constraints: readonly PlacementConstraint[],
): DaemonPlan {
  const start: string[] = [];
  const stop: string[] = [];
  const unplaceable: { arn: string; reason: string }[] = [];
  const memberOf = constraints.filter((c) => c.type === 'memberOf');
  for (const instance of instances) {
    const running = instance.groupCounts.get(needs.group) ?? 0;
    const eligible = instance.status === 'ACTIVE' && memberOf.every((c) => c.test(instance));
    if (!eligible) {
      if (running > 0) stop.push(instance.arn);
      continue;
    }
    if (running > 1) stop.push(instance.arn); // one too many: keep exactly one
    if (running > 0) continue;
    // Resources, ports and attributes decide as for any placement, on this instance alone.
    const result = placeTasks({
      needs,
      count: 1,
      instances: [instance],
      constraints: [],
      strategies: [],
      random: () => 0,
    });
    if (result.placements.length === 1) start.push(instance.arn);
    else unplaceable.push({ arn: instance.arn, reason: result.failures[0]?.reason ?? 'RESOURCE:CPU' });
  }
  return { start, stop, unplaceable };
}
