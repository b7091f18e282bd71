import type { Clock } from '../shared/clock.ts';
import type { LogGroupRecord, MetadataStore } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function checkRetentionDays(days: number): void {
  if (!RETENTION_DAYS.includes(days)) {
    throw new InvalidParameterException(
      `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
    );
  }
}

/** The oldest timestamp the group still keeps at `now` (0 without retention). */
export function retentionStart(group: LogGroupRecord, now: number): number {
  return group.retentionInDays === undefined ? 0 : Math.max(0, now - group.retentionInDays * DAY_MS);
}

/**
 * Deletes the events that are past their group's retention. Reads already hide them; this frees
 * the space (CloudWatch Logs also deletes expired events some time after they expire).
 */
export async function pruneExpiredLogEvents(deps: {
  store: MetadataStore;
  clock: Clock;
}): Promise<{ groupsPruned: number; eventsDeleted: number }> {
  const now = deps.clock.now().getTime();
  let groupsPruned = 0;
  let eventsDeleted = 0;
  let after: string | undefined;
  for (;;) {
    const groups = await deps.store.logs.listGroups({ after, limit: 100 });
    for (const group of groups) {
      if (group.retentionInDays === undefined) continue;
      const deleted = await deps.store.logs.deleteEventsBefore(group.name, retentionStart(group, now));
      if (deleted > 0) groupsPruned += 1;
      eventsDeleted += deleted;
    }
    if (groups.length < 100) return { groupsPruned, eventsDeleted };
    after = groups.at(-1)!.name;
  }
}
