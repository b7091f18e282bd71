import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../shared/clock.ts';
import { Drainer, isDrained, type DrainingTarget } from './draining.ts';

interface Target extends DrainingTarget {
  inFlight: number;
}

function aTarget(inFlight: number): Target {
  return { inFlight, drainDeadlineMs: undefined };
}

test('a registered target is never drained', () => {
  assert.equal(isDrained(aTarget(0), 0), false);
});

test('drained once idle or once the delay has passed, whichever comes first', () => {
  const clock = new FakeClock();
  const gone: Target[] = [];
  const drainer = new Drainer<Target>({ now: () => clock.now().getTime(), onGone: (target) => gone.push(target) });
  const idle = aTarget(0);
  drainer.start(idle, 300);
  assert.deepEqual(gone, [idle]); // nothing in flight: gone at once

  const busy = aTarget(2);
  drainer.start(busy, 300);
  busy.inFlight = 1;
  drainer.settle(busy);
  assert.equal(gone.length, 1);
  busy.inFlight = 0;
  drainer.settle(busy);
  assert.deepEqual(gone, [idle, busy]);

  const stuck = aTarget(1);
  drainer.start(stuck, 300);
  clock.advance(299_000);
  drainer.settle(stuck);
  assert.equal(gone.length, 2);
  clock.advance(1000); // 300 s: the deadline
  drainer.settle(stuck);
  assert.deepEqual(gone, [idle, busy, stuck]);
  assert.equal(drainer.size, 0);
});

test('a target registered again stops draining', () => {
  const clock = new FakeClock();
  const gone: Target[] = [];
  const drainer = new Drainer<Target>({ now: () => clock.now().getTime(), onGone: (target) => gone.push(target) });
  const target = aTarget(1);
  drainer.start(target, 300);
  drainer.cancel(target);
  assert.equal(target.drainDeadlineMs, undefined);
  target.inFlight = 0;
  drainer.settle(target);
  assert.deepEqual(gone, []);
});
