import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateAlarm, reasonDate, type AlarmEvaluationInput } from './evaluate-alarm.ts';

const T0 = Date.parse('2026-12-04T10:00:00Z');
/** 'X' breaching (10), '0' not breaching (1), '-' missing; threshold 5, GreaterThanThreshold. */
function input(pattern: string, treatMissingData: string, datapointsToAlarm = pattern.length): AlarmEvaluationInput {
  return {
    comparison: 'GreaterThanThreshold',
    threshold: 5,
    evaluationPeriods: pattern.length,
    datapointsToAlarm,
    treatMissingData,
    statistic: 'Average',
    periodSeconds: 60,
    periods: [...pattern].map((c, i) => ({
      start: T0 + i * 60_000,
      value: c === 'X' ? 10 : c === '0' ? 1 : undefined,
    })),
    evaluatedAt: T0 + pattern.length * 60_000,
    currentState: 'OK',
  };
}

describe('alarm evaluation', () => {
  // CloudWatch's table for 3 of 3 ("Configuring how CloudWatch alarms treat missing data").
  const table: [string, Record<string, string | undefined>][] = [
    ['0-X', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
    ['---', { missing: 'INSUFFICIENT_DATA', ignore: undefined, breaching: 'ALARM', notBreaching: 'OK' }],
    ['-X-', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'OK' }],
    ['XXX', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' }],
    ['--0', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
  ];
  for (const [pattern, expected] of table) {
    for (const [mode, state] of Object.entries(expected)) {
      it(`${pattern} with ${mode}: ${state ?? 'no change'}`, () => {
        assert.equal(evaluateAlarm(input(pattern, mode))?.state, state);
      });
    }
  }

  it('M of N: 2 of 3 breaching alarms', () => {
    assert.equal(evaluateAlarm(input('X0X', 'missing', 2))?.state, 'ALARM');
    assert.equal(evaluateAlarm(input('00X', 'missing', 2))?.state, 'OK');
  });

  it('words its reason as CloudWatch does', () => {
    assert.equal(
      evaluateAlarm(input('X', 'missing'))?.reason,
      `Threshold Crossed: 1 datapoint [10.0 (${reasonDate(T0)})] was greater than the threshold (5.0).`,
    );
    assert.equal(
      evaluateAlarm(input('X0X', 'missing', 2))?.reason,
      `Threshold Crossed: 2 out of the last 3 datapoints [10.0 (04/12/26 10:02:00), 1.0 (04/12/26 10:01:00), 10.0 (04/12/26 10:00:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).`,
    );
    assert.equal(evaluateAlarm(input('---', 'missing'))?.reason, 'Insufficient Data: 3 datapoints were unknown.');
    const data = JSON.parse(evaluateAlarm(input('X', 'missing'))!.reasonData) as Record<string, unknown>;
    assert.equal(data.queryDate, '2026-12-04T10:01:00.000+0000');
    assert.deepEqual(data.recentDatapoints, [10]);
  });

  it('never alarms with fewer breaching datapoints than asked, whatever is missing (missing, notBreaching)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[X0-]{1,10}$/), fc.integer({ min: 1, max: 10 }), (pattern, m) => {
        const toAlarm = Math.min(m, pattern.length);
        const breaching = [...pattern].filter((c) => c === 'X').length;
        const present = [...pattern].filter((c) => c !== '-').length;
        const missing = evaluateAlarm(input(pattern, 'missing', toAlarm));
        if (present === 0) assert.equal(missing?.state, 'INSUFFICIENT_DATA');
        else assert.equal(missing?.state === 'ALARM', breaching >= Math.min(toAlarm, present));
        assert.equal(evaluateAlarm(input(pattern, 'notBreaching', toAlarm))?.state === 'ALARM', breaching >= toAlarm);
      }),
    );
  });
});
