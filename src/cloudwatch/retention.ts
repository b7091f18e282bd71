import type { CloudWatchDeps } from './deps.ts';
import { RESOLUTIONS, RETENTION_MS } from './resolutions.ts';
import { trimBefore } from './stored-aggregate.ts';

/** Alarm history is kept 30 days; a metric with no put for 455 days has no datapoints left. */
const HISTORY_MS = 30 * 24 * 3_600_000;

/**
 * Drops each resolution's buckets past its retention (1 s: 3 hours, 1 min: 15 days, 5 min: 63
 * days, 1 h: 455 days), metrics with nothing left, and alarm history past 30 days.
 */
export async function pruneExpiredMetrics(
  deps: CloudWatchDeps,
): Promise<{ datapointsDeleted: number; metricsDeleted: number; historyDeleted: number }> {
  const now = deps.clock.now().getTime();
  let datapointsDeleted = 0;
  for (const resolution of RESOLUTIONS) {
    // A bucket goes once its end is past retention.
    const before = new Date(now - RETENTION_MS[resolution] - resolution * 1000);
    datapointsDeleted += await deps.store.cloudWatch.pruneBlocks(
      resolution,
      before,
      trimBefore(before.getTime(), resolution),
    );
  }
  const metricsDeleted = await deps.store.cloudWatch.pruneMetrics(new Date(now - RETENTION_MS[3600]));
  const historyDeleted = await deps.store.cloudWatch.pruneHistory(new Date(now - HISTORY_MS));
  return { datapointsDeleted, metricsDeleted, historyDeleted };
}
