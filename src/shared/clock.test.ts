import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, timeScale } from './clock.ts';

describe('timeScale', () => {
  it('is the base clock itself at 1', () => {
    const base = new FakeClock();
    const time = timeScale(base, 1);
    assert.equal(time.clock, base);
    const at = new Date('2026-01-01T00:00:10Z');
    assert.equal(time.scaled(at), at);
    assert.equal(time.baseMs(5000), 5000);
  });

  it('runs faster than the base clock from the moment it is made', () => {
    const base = new FakeClock('2026-01-01T00:00:00Z');
    const time = timeScale(base, 30); // a 2-second minute
    assert.equal(time.clock.now().toISOString(), '2026-01-01T00:00:00.000Z');
    base.advance(2000);
    assert.equal(time.clock.now().toISOString(), '2026-01-01T00:01:00.000Z');
    assert.equal(time.scaled(new Date('2026-01-01T00:00:04Z')).toISOString(), '2026-01-01T00:02:00.000Z');
    assert.equal(time.baseMs(60_000), 2000);
    assert.equal(time.baseMs(5000), 167);
    assert.equal(time.baseMs(1), 1);
  });

  it('refuses to slow down', () => {
    assert.throws(() => timeScale(new FakeClock(), 0.5), RangeError);
  });
});
