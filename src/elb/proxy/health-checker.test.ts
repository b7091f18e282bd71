import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../shared/clock.ts';
import { INITIAL_HEALTH, nextHealth, parseMatcher, type HealthStatus, type ProbeResult } from './health-checker.ts';

test('matcher: one code, a list, a range, a mix', () => {
  const table: [string, number, boolean][] = [
    ['200', 200, true],
    ['200', 201, false],
    ['200,202', 202, true],
    ['200,202', 201, false],
    ['200-299', 250, true],
    ['200-299', 300, false],
    ['200, 300-302', 301, true],
  ];
  for (const [matcher, status, expected] of table)
    assert.equal(parseMatcher(matcher)(status), expected, `${matcher} ${status}`);
  assert.throws(() => parseMatcher('2xx'));
  assert.throws(() => parseMatcher('299-200'));
});

const pass: ProbeResult = { ok: true, status: 200 };
const mismatch: ProbeResult = { ok: false, reason: 'Target.ResponseCodeMismatch', status: 500 };
const timeout: ProbeResult = { ok: false, reason: 'Target.Timeout' };
const thresholds = { healthy: 3, unhealthy: 2 };

function run(start: HealthStatus, results: ProbeResult[], clock: FakeClock): HealthStatus[] {
  const states: HealthStatus[] = [];
  let health = start;
  for (const result of results) {
    clock.advance(5000);
    health = nextHealth(health, result, thresholds, clock.now().getTime());
    states.push(health);
  }
  return states;
}

test('initial → healthy after one pass, recording when (slow start counts from there)', () => {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const [healthy] = run(INITIAL_HEALTH, [pass], clock);
  assert.equal(healthy!.state, 'healthy');
  assert.equal(healthy!.reason, undefined);
  assert.equal(healthy!.healthySinceMs, Date.parse('2026-01-01T00:00:05Z'));
});

test('initial → unhealthy after the unhealthy threshold, with the last failure as reason', () => {
  const clock = new FakeClock();
  const states = run(INITIAL_HEALTH, [mismatch, timeout], clock);
  assert.deepEqual(
    states.map((s) => [s.state, s.reason]),
    [
      ['initial', 'Elb.InitialHealthChecking'],
      ['unhealthy', 'Target.Timeout'],
    ],
  );
  assert.equal(states[1]!.description, 'Request timed out');
});

test('healthy → unhealthy after two failures in a row; a pass in between resets the count', () => {
  const clock = new FakeClock();
  const [healthy] = run(INITIAL_HEALTH, [pass], clock);
  const states = run(healthy!, [mismatch, pass, mismatch, mismatch], clock);
  assert.deepEqual(
    states.map((s) => s.state),
    ['healthy', 'healthy', 'healthy', 'unhealthy'],
  );
  assert.equal(states[3]!.reason, 'Target.ResponseCodeMismatch');
  assert.equal(states[3]!.description, 'Health checks failed with these codes: [500]');
});

test('unhealthy → healthy takes the healthy threshold of passes in a row', () => {
  const clock = new FakeClock();
  const [, unhealthy] = run(INITIAL_HEALTH, [mismatch, mismatch], clock);
  const states = run(
    unhealthy!,
    [pass, pass, { ok: false, reason: 'Target.FailedHealthChecks' }, pass, pass, pass],
    clock,
  );
  assert.deepEqual(
    states.map((s) => [s.state, s.reason]),
    [
      ['unhealthy', 'Target.ResponseCodeMismatch'],
      ['unhealthy', 'Target.ResponseCodeMismatch'],
      ['unhealthy', 'Target.FailedHealthChecks'],
      ['unhealthy', 'Target.FailedHealthChecks'],
      ['unhealthy', 'Target.FailedHealthChecks'],
      ['healthy', undefined],
    ],
  );
});
