import { pruneExpiredLogEvents } from '../logs/index.ts';
import type { Logger } from '../shared/logger.ts';
import { schedulePeriodic, type LoopLease } from './periodic.ts';

type Deps = Parameters<typeof pruneExpiredLogEvents>[0];

const INTERVAL_MS = 60 * 60 * 1000;

/** Deletes log events past their group's retention every hour (and on demand); one run at a time. */
export function scheduleLogRetention(deps: Deps, logger: Logger, options: { lease?: LoopLease | undefined } = {}) {
  return schedulePeriodic(
    'log retention',
    INTERVAL_MS,
    async () => {
      const report = await pruneExpiredLogEvents(deps);
      if (report.eventsDeleted > 0) logger.info({ ...report }, 'expired log events deleted');
      return report;
    },
    logger,
    options,
  );
}
