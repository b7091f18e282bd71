import type { Logger } from '../shared/logger.ts';

/**
 * Where a loop's timed runs happen when several servers share a store (server-leases.ts): only on
 * the server holding the loop's lease, under its fence; elsewhere `work` is skipped (undefined).
 */
export interface LoopLease {
  run<T>(loop: string, work: () => Promise<T>): Promise<T | undefined>;
}

/**
 * Runs `work` every `intervalMs` (and on demand with runNow), one run at a time: a run asked for
 * while one is going joins it. The timer never keeps the process alive. With `lease`, the timed runs
 * happen only where the loop's lease is held (runNow, an operator's or a test's request, runs here).
 */
export function schedulePeriodic<T>(
  name: string,
  intervalMs: number,
  work: () => Promise<T>,
  logger: Logger,
  options: { lease?: LoopLease | undefined } = {},
) {
  let running: Promise<T> | undefined;
  const runNow = (): Promise<T> => {
    running ??= work().finally(() => (running = undefined));
    return running;
  };
  const timed = (): Promise<unknown> => (options.lease ? options.lease.run(name, runNow) : runNow());
  const timer = setInterval(() => {
    timed().catch((error: unknown) => logger.error({ err: error }, `${name} failed`));
  }, intervalMs);
  timer.unref();
  return {
    runNow,
    stop: () => clearInterval(timer),
    idle: async () => {
      await running?.catch(() => undefined);
    },
  };
}
