import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, type EvaluationContext } from './evaluate.ts';
import { ExpressionError, parseExpression } from './parse.ts';
import type { Series, Value } from './values.ts';

const MIN = 60_000;
const series = (label: string, values: (number | undefined)[]): Series => ({
  label,
  period: 60,
  points: new Map(values.flatMap((v, i) => (v === undefined ? [] : [[i * MIN, v] as [number, number]]))),
});
const m1 = series('m1', [1, 2, undefined, 4]);
const m2 = series('m2', [10, 20, 30, 40]);

function run(expression: string): Value {
  const context: EvaluationContext = {
    resolve: (id) =>
      id === 'm1' ? { kind: 'series', series: m1 } : id === 'm2' ? { kind: 'series', series: m2 } : undefined,
    metrics: () => [m1, m2],
    startMs: 0,
    endMs: 4 * MIN,
    defaultPeriod: 60,
  };
  return evaluate(parseExpression(expression), context);
}

function points(value: Value): (number | undefined)[] {
  assert.equal(value.kind, 'series');
  const s = (value as { series: Series }).series;
  return [0, 1, 2, 3].map((i) => s.points.get(i * MIN));
}

describe('metric math', () => {
  const table: [string, (number | undefined)[]][] = [
    ['m1 + m2', [11, 22, undefined, 44]], // a missing point on either side is missing
    ['m2 / m1 * 100', [1000, 1000, undefined, 1000]],
    ['-m1 + 2 ^ 2', [3, 2, undefined, 0]],
    ['(m1 + 1) * 2', [4, 6, undefined, 10]],
    ['SUM([m1, m2])', [11, 22, 30, 44]], // across series: the ones present
    ['MAX([m1, m2]) - MIN([m1, m2])', [9, 18, 0, 36]],
    ['AVG([m1, m2])', [5.5, 11, 30, 22]],
    ['FILL(m1, 0)', [1, 2, 0, 4]],
    ['FILL(m1, REPEAT)', [1, 2, 2, 4]],
    ['FILL(m1, LINEAR)', [1, 2, 3, 4]],
    ['IF(m2 > 15, m2, 0)', [0, 20, 30, 40]],
    ['IF(m2 >= 20 AND m2 < 40, 1)', [undefined, 1, 1, undefined]],
    ['m1 / 0', [undefined, undefined, undefined, undefined]], // no datapoint for a division by zero
    ['RATE(m2)', [undefined, 10 / 60, 10 / 60, 10 / 60]],
    ['DIFF(m2)', [undefined, 10, 10, 10]],
    ['RUNNING_SUM(m2)', [10, 30, 60, 100]],
    ['m2 - MAX(m2)', [-30, -20, -10, 0]], // MAX of one series is a number
    ['ABS(m1 - 3)', [2, 1, undefined, 1]],
    ['TIME_SERIES(7)', [7, 7, 7, 7]],
  ];
  for (const [expression, expected] of table) {
    it(expression, () => assert.deepEqual(points(run(expression)), expected));
  }

  it('PERIOD and METRICS', () => {
    assert.deepEqual(run('PERIOD(m1)'), { kind: 'scalar', value: 60 });
    const all = run("METRICS('m2')");
    assert.equal(all.kind, 'array');
    assert.equal((all as { series: readonly Series[] }).series.length, 1);
  });

  it('refuses what is not an expression, saying where', () => {
    for (const [text, message] of [
      ['m1 +', /ends where a value was expected/],
      ['m1 + (m2', /Expected '\)'/],
      ['m1 $ m2', /Unexpected character '\$' at position 4/],
      ['NOPE(m1)', /Unsupported function: NOPE/],
      ['zz * 2', /Unrecognized metric or expression id: zz/],
    ] as const) {
      assert.throws(
        () => run(text),
        (e: unknown) => e instanceof ExpressionError && message.test(e.message),
        text,
      );
    }
  });

  it('parses in linear time and bounds nesting', () => {
    const long = Array.from({ length: 500 }, () => 'm1').join('+');
    const started = performance.now();
    parseExpression(long.slice(0, 2048));
    assert.ok(performance.now() - started < 100);
    assert.throws(() => parseExpression('('.repeat(100) + 'm1' + ')'.repeat(100)), /nests deeper/);
    assert.throws(() => parseExpression('-'.repeat(100) + 'm1'), /nests deeper/);
    assert.throws(() => parseExpression('m1+'.repeat(700) + 'm1'), /longer than 2048/);
  });
});
