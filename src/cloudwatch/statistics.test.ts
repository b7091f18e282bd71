import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSketch, serializeSketch, MAX_BINS } from './sketch.ts';
import {
  addStatisticSet,
  addValue,
  emptyAggregate,
  mergeAggregate,
  parseStatistic,
  statisticOf,
} from './statistics.ts';

describe('statistics from aggregates', () => {
  it('answers the basic statistics', () => {
    const a = emptyAggregate();
    for (const v of [1, 2, 3, 10]) addValue(a, v);
    addValue(a, 4, 2); // Values [4] with Counts [2]
    // samples 1, 2, 3, 10, 4, 4: n = 6, sum = 24
    assert.equal(statisticOf(a, parseStatistic('SampleCount')!), 6);
    assert.equal(statisticOf(a, parseStatistic('Sum')!), 24);
    assert.equal(statisticOf(a, parseStatistic('Average')!), 4);
    assert.equal(statisticOf(a, parseStatistic('Minimum')!), 1);
    assert.equal(statisticOf(a, parseStatistic('Maximum')!), 10);
  });

  it('parses the statistic names CloudWatch takes', () => {
    assert.deepEqual(parseStatistic('p99'), { kind: 'percentile', name: 'p99', quantile: 0.99 });
    assert.equal(parseStatistic('p99.9')?.kind, 'percentile');
    assert.equal(parseStatistic('p100')?.kind, 'percentile');
    assert.equal(parseStatistic('p101'), undefined);
    assert.equal(parseStatistic('tm99'), undefined);
  });

  it('has no percentile once a statistic set, which has no distribution, is in the bucket', () => {
    const a = emptyAggregate();
    addValue(a, 5);
    addStatisticSet(a, { SampleCount: 3, Sum: 30, Minimum: 5, Maximum: 15 });
    assert.equal(statisticOf(a, parseStatistic('p50')!), undefined);
    assert.equal(statisticOf(a, parseStatistic('Average')!), 35 / 4);
  });

  it('percentiles are within 1% of the nearest-rank sample, across merges and serialization', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const left = emptyAggregate();
          const right = emptyAggregate();
          values.forEach((v, i) => addValue(i % 2 === 0 ? left : right, v));
          // Stored and read back, then merged, as a period read from two buckets is.
          const merged = { ...left, sketch: parseSketch(serializeSketch(left.sketch)) };
          mergeAggregate(merged, { ...right, sketch: parseSketch(serializeSketch(right.sketch)) });
          const sorted = [...values].sort((a, b) => a - b);
          const expected = sorted[Math.max(1, Math.ceil((p / 100) * values.length)) - 1]!;
          const got = statisticOf(merged, parseStatistic(`p${p}`)!)!;
          assert.ok(Math.abs(got - expected) <= Math.abs(expected) * 0.0101 + 1e-9, `p${p}: ${got} vs ${expected}`);
        },
      ),
    );
  });

  it('keeps the sketch bounded whatever the spread of values', () => {
    const a = emptyAggregate();
    for (let e = -200; e <= 200; e += 0.01) addValue(a, Math.pow(10, e / 10));
    assert.ok(a.sketch.positive.size <= MAX_BINS);
    // The top percentile stays accurate: the folded bins are the smallest values.
    const p99 = statisticOf(a, parseStatistic('p99')!)!;
    assert.ok(p99 > 1e19 && p99 < 1e20, String(p99));
  });
});
