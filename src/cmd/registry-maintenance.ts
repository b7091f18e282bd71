import {
  applyLifecyclePolicies,
  collectGarbage,
  DEFAULT_GC_OPTIONS,
  type GarbageCollectionOptions,
  type GarbageCollectionReport,
} from '../ecr/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { LoopLease } from './periodic.ts';

type Deps = Parameters<typeof collectGarbage>[0];

const INTERVAL_MS = 60 * 60 * 1000;

/**
 * Registry upkeep every hour: lifecycle policies expire images, then garbage collection deletes
 * the blobs nothing references any more and the uploads idle past `options.uploadIdleMs`
 * (`berth gc` runs the same collection now). Each also runs on demand; one run of each at a time.
 */
export function scheduleRegistryMaintenance(
  deps: Deps,
  logger: Logger,
  options: Partial<GarbageCollectionOptions> & { lease?: LoopLease | undefined } = {},
) {
  const { lease, ...rest } = options;
  const gcOptions: GarbageCollectionOptions = { ...DEFAULT_GC_OPTIONS, ...rest };
  let lifecycle: Promise<{ imagesExpired: number }> | undefined;
  const applyLifecycleNow = (): Promise<{ imagesExpired: number }> => {
    lifecycle ??= applyLifecyclePolicies(deps)
      .then((report) => {
        logger.info({ ...report }, 'lifecycle policies applied');
        return report;
      })
      .finally(() => (lifecycle = undefined));
    return lifecycle;
  };
  let running: Promise<GarbageCollectionReport> | undefined;
  const runNow = (): Promise<GarbageCollectionReport> => {
    running ??= collectGarbage(deps, gcOptions)
      .then((report) => {
        logger.info({ ...report }, 'registry garbage collection done');
        return report;
      })
      .finally(() => (running = undefined));
    return running;
  };
  // With several servers, the hourly pass runs where the lease is held (on demand: here).
  const pass = () => applyLifecycleNow().then(runNow);
  const timer = setInterval(() => {
    (lease ? lease.run('registry maintenance', pass) : pass()).catch((error: unknown) =>
      logger.error({ err: error }, 'registry maintenance failed'),
    );
  }, INTERVAL_MS);
  timer.unref();
  return {
    runNow,
    applyLifecycleNow,
    stop: () => clearInterval(timer),
    idle: async () => {
      await lifecycle?.catch(() => undefined);
      await running?.catch(() => undefined);
    },
  };
}
