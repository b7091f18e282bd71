import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  launchThrottle,
  THROTTLE_MAX_DELAY_MS,
  throttleDelayMs,
  throttledMessage,
  type LaunchAttempt,
} from './service-throttle.ts';

const failed = (stoppedAt: number): LaunchAttempt => ({
  startedAt: undefined,
  stoppedAt,
  stopCode: 'TaskFailedToStart',
});
const ran = (startedAt: number, stoppedAt?: number): LaunchAttempt => ({ startedAt, stoppedAt });

describe('service throttle logic', () => {
  it('does not throttle below three consecutive launch failures', () => {
    assert.deepEqual(launchThrottle([failed(1), failed(2)]), { failures: 2, retryAt: undefined });
    assert.deepEqual(launchThrottle([]), { failures: 0, retryAt: undefined });
  });

  it('waits 5 s after the third failure, then doubles, up to 27 minutes', () => {
    assert.deepEqual(launchThrottle([failed(1_000), failed(2_000), failed(3_000)]), {
      failures: 3,
      retryAt: 8_000,
    });
    assert.equal(throttleDelayMs(4), 10_000);
    assert.equal(throttleDelayMs(5), 20_000);
    assert.equal(throttleDelayMs(50), THROTTLE_MAX_DELAY_MS);
    assert.equal(THROTTLE_MAX_DELAY_MS, 27 * 60 * 1000);
  });

  it('counts only failures after the last task that reached RUNNING, and not tasks that exited after running', () => {
    const attempts = [failed(1), failed(2), failed(3), ran(4, 5), ran(6, 7), failed(8)];
    assert.deepEqual(launchThrottle(attempts), { failures: 1, retryAt: undefined });
    // A task still running resets it too.
    assert.equal(launchThrottle([failed(1), failed(2), failed(3), ran(10)]).failures, 0);
    // Nor is a pending task the scheduler stopped (scale-in), or a task still pending.
    const scaledIn = { startedAt: undefined, stoppedAt: 9, stopCode: 'ServiceSchedulerInitiated' };
    assert.equal(launchThrottle([failed(1), failed(2), scaledIn]).failures, 2);
    assert.equal(launchThrottle([failed(1), failed(2), { startedAt: undefined, stoppedAt: undefined }]).failures, 2);
  });

  it('never waits longer than 27 minutes after the last failure, and grows with the failures', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { maxLength: 60 }), (times) => {
        const throttle = launchThrottle(times.map(failed));
        assert.equal(throttle.failures, times.length);
        if (throttle.retryAt === undefined) return assert.ok(times.length < 3);
        const last = Math.max(...times);
        assert.ok(throttle.retryAt > last && throttle.retryAt <= last + THROTTLE_MAX_DELAY_MS);
        assert.ok(throttleDelayMs(times.length + 1) >= throttleDelayMs(times.length));
      }),
    );
  });

  it('says so in ECS wording', () => {
    assert.equal(throttledMessage('web'), '(service web) is unable to consistently start tasks successfully.');
  });
});
