/**
 * ECS's service throttle logic: when a deployment's tasks keep failing to start (PENDING straight
 * to STOPPED, never RUNNING), the time between launch attempts grows, up to 27 minutes, and the
 * service says "(service X) is unable to consistently start tasks successfully." Tasks that reached
 * RUNNING and then exited do not count, and a new deployment starts unthrottled. Derived from the
 * deployment's own tasks on every pass, so a restarted server throttles exactly as before.
 */

/** Consecutive launch failures before the scheduler waits between attempts. */
export const THROTTLE_AFTER_FAILURES = 3;
export const THROTTLE_BASE_DELAY_MS = 5_000;
export const THROTTLE_MAX_DELAY_MS = 27 * 60_000;

export interface LaunchAttempt {
  /** When the task reached RUNNING; undefined if it never did. */
  readonly startedAt: number | undefined;
  /** When it stopped; undefined while it has not. */
  readonly stoppedAt: number | undefined;
  /** Why it stopped: only TaskFailedToStart and EssentialContainerExited are launch failures. */
  readonly stopCode?: string | undefined;
  /** In words (the circuit breaker also counts the scheduler's replacements for failed health checks). */
  readonly stoppedReason?: string | undefined;
}

const FAILURE_CODES = new Set(['TaskFailedToStart', 'EssentialContainerExited']);

export interface Throttle {
  /** Launch failures since the deployment's last task that reached RUNNING. */
  readonly failures: number;
  /** No new launch before this time (epoch ms); undefined when not throttled. */
  readonly retryAt: number | undefined;
}

/** The wait after `failures` consecutive failures: 5 s, 10 s, 20 s, ... at most 27 minutes. */
export function throttleDelayMs(failures: number): number {
  if (failures < THROTTLE_AFTER_FAILURES) return 0;
  const doublings = Math.min(failures - THROTTLE_AFTER_FAILURES, 30);
  return Math.min(THROTTLE_MAX_DELAY_MS, THROTTLE_BASE_DELAY_MS * 2 ** doublings);
}

/** The throttle of one deployment, from every task it launched (running and stopped). */
export function launchThrottle(attempts: readonly LaunchAttempt[]): Throttle {
  const lastSuccess = Math.max(-Infinity, ...attempts.map((a) => a.startedAt ?? -Infinity));
  const failed = attempts.filter(
    (a) =>
      a.startedAt === undefined &&
      a.stoppedAt !== undefined &&
      a.stoppedAt > lastSuccess &&
      FAILURE_CODES.has(a.stopCode ?? ''),
  );
  const delay = throttleDelayMs(failed.length);
  if (delay === 0) return { failures: failed.length, retryAt: undefined };
  const lastFailure = Math.max(...failed.map((a) => a.stoppedAt!));
  return { failures: failed.length, retryAt: lastFailure + delay };
}

export const throttledMessage = (service: string): string =>
  `(service ${service}) is unable to consistently start tasks successfully.`;
