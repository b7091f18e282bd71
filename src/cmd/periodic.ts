import type { Logger } from '../shared/logger.ts';

/**
 * Runs `work` every `intervalMs` (and on demand with runNow), one run at a time: a run asked for
 * while one is going joins it. The timer never keeps the process alive.
 */
export function schedulePeriodic<T>(name: string, intervalMs: number, work: () => Promise<T>, logger: Logger) {
  let running: Promise<T> | undefined;
  const runNow = (): Promise<T> => {
    running ??= work().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => {
    runNow().catch((error: unknown) => logger.error({ err: error }, `${name} failed`));
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
