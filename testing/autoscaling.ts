import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** A CloudWatch minute lasts 2 s in the scaling tests (BERTH_METRICS_MINUTE_MS): metrics time runs 30 times faster. */
export const METRICS_MINUTE_MS = 2000;
const SPEEDUP = 60_000 / METRICS_MINUTE_MS;

/** The AWS CLI's arguments naming an ECS service's DesiredCount as a scalable target. */
export function serviceScalableTarget(cluster: string, service: string) {
  const resourceId = `service/${cluster}/${service}`;
  const args = [
    '--service-namespace',
    'ecs',
    '--resource-id',
    resourceId,
    '--scalable-dimension',
    'ecs:service:DesiredCount',
  ];
  return { resourceId, args };
}

/**
 * The server's metrics time, near enough, for query windows: call `start()` just before the
 * server starts (its scaled clock starts with it).
 */
export function metricsTimeEstimate() {
  let origin = 0;
  return {
    start: () => void (origin = Date.now()),
    now: () => origin + (Date.now() - origin) * SPEEDUP,
  };
}

/** Reads until `done` holds (every 500 ms), failing with the last value after `timeoutMs`. */
export async function waitForValue<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 240_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await sleep(500);
  }
}
