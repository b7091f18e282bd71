import { pruneExpiredLogEvents } from '../logs/index.ts';
import type { Logger } from '../shared/logger.ts';

type Deps = Parameters<typeof pruneExpiredLogEvents>[0];
type Report = Awaited<ReturnType<typeof pruneExpiredLogEvents>>;

const INTERVAL_MS = 60 * 60 * 1000;

/** Deletes log events past their group's retention every hour (and on demand); one run at a time. */
export function scheduleLogRetention(deps: Deps, logger: Logger) {
  let running: Promise<Report> | undefined;
  const runNow = (): Promise<Report> => {
    running ??= pruneExpiredLogEvents(deps)
      .then((report) => {
        if (report.eventsDeleted > 0) logger.info({ ...report }, 'expired log events deleted');
        return report;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => {
    runNow().catch((error: unknown) => logger.error({ err: error }, 'log retention failed'));
  }, INTERVAL_MS);
  timer.unref();
  return {
    runNow,
    stop: () => clearInterval(timer),
    idle: async () => {
      await running?.catch(() => undefined);
    },
  };
}
