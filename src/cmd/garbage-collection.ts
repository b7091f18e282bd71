import { collectGarbage, type GarbageCollectionReport } from '../ecr/index.ts';
import type { Logger } from '../shared/logger.ts';

type Deps = Parameters<typeof collectGarbage>[0];

const INTERVAL_MS = 60 * 60 * 1000;

/** Registry garbage collection every hour, and on demand; one run at a time. */
export function scheduleGarbageCollection(deps: Deps, logger: Logger) {
  let running: Promise<GarbageCollectionReport> | undefined;
  const runNow = (): Promise<GarbageCollectionReport> => {
    running ??= collectGarbage(deps)
      .then((report) => {
        logger.info({ ...report }, 'registry garbage collection done');
        return report;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => {
    runNow().catch((error: unknown) => logger.error({ err: error }, 'registry garbage collection failed'));
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
