import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteReader, ByteWriter } from './byte-codec.ts';
import { blockOf, countBuckets, decodeBlock, encodeBlock, mergeBlocks, trimBlock } from './packed-buckets.ts';
import {
  addStatisticSet,
  addValue,
  emptyAggregate,
  mergeAggregate,
  parseStatistic,
  statisticOf,
  type Aggregate,
} from './statistics.ts';

const STATISTICS = ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average', 'p50', 'p99', 'p99.9'].map((name) =>
  parseStatistic(name)!,
);

function aggregateOf(
  values: readonly number[],
  set?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number },
): Aggregate {
  const a = emptyAggregate();
  for (const v of values) addValue(a, v);
  if (set) addStatisticSet(a, set);
  return a;
}

/** Everything an aggregate answers, and its sketch's bins, exactly. */
function answers(a: Aggregate): unknown {
  return {
    stats: STATISTICS.map((s) => statisticOf(a, s)),
    count: a.sampleCount,
    sum: a.sum,
    min: a.minimum,
    max: a.maximum,
    positive: [...a.sketch.positive].sort((x, y) => x[0] - y[0]),
    negative: [...a.sketch.negative].sort((x, y) => x[0] - y[0]),
    zeros: a.sketch.zeros,
  };
}

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
  fc.integer({ min: -1000, max: 1000 }).map((n) => n / 100),
  fc.constantFrom(0, 1, 52.37, 1e-200, -3.5),
);
const bucket = fc.record({
  values: fc.array(value, { minLength: 0, maxLength: 20 }),
  set: fc.option(
    fc
      .tuple(fc.integer({ min: 1, max: 100 }), value, value)
      .map(([n, a, b]) => ({ SampleCount: n, Sum: n * a, Minimum: Math.min(a, b), Maximum: Math.max(a, b) })),
    { nil: undefined },
  ),
});
const block = fc.uniqueArray(fc.record({ slot: fc.integer({ min: 0, max: 59 }), bucket }), {
  selector: (b) => b.slot,
  maxLength: 12,
});

describe('packed buckets', () => {
  it('numbers round-trip exactly, decimals in few bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), value)), (numbers) => {
        const writer = new ByteWriter();
        for (const n of numbers) writer.number(n);
        const reader = new ByteReader(writer.finish());
        for (const n of numbers) assert.ok(Object.is(reader.number(), n));
        assert.ok(reader.done);
      }),
    );
    const sizes = [0, 1, 52.37, 99.99, -0.5, 0.1 + 0.2, -0].map((n) => {
      const writer = new ByteWriter();
      writer.number(n);
      return writer.length;
    });
    assert.deepEqual(sizes, [1, 1, 3, 3, 1, 9, 9]);
  });

  it('a block answers every statistic exactly as its buckets did', () => {
    fc.assert(
      fc.property(block, (buckets) => {
        const packed = buckets.map((b) => ({ slot: b.slot, aggregate: aggregateOf(b.bucket.values, b.bucket.set) }));
        const decoded = decodeBlock(encodeBlock(packed));
        const bySlot = (x: { slot: number }, y: { slot: number }) => x.slot - y.slot;
        assert.deepEqual(
          decoded.map((b) => [b.slot, answers(b.aggregate)]),
          [...packed].sort(bySlot).map((b) => [b.slot, answers(b.aggregate)]),
        );
        assert.equal(countBuckets(encodeBlock(packed)), packed.length);
      }),
    );
  });

  it('merging blocks is merging their buckets slot by slot', () => {
    fc.assert(
      fc.property(block, block, (left, right) => {
        const pack = (bs: typeof left) =>
          bs.map((b) => ({ slot: b.slot, aggregate: aggregateOf(b.bucket.values, b.bucket.set) }));
        const merged = decodeBlock(mergeBlocks(encodeBlock(pack(left)), encodeBlock(pack(right))));
        const expected = new Map<number, Aggregate>();
        for (const b of [...pack(left), ...pack(right)]) {
          const into = expected.get(b.slot);
          if (into) mergeAggregate(into, b.aggregate);
          else expected.set(b.slot, b.aggregate);
        }
        assert.deepEqual(
          merged.map((b) => [b.slot, answers(b.aggregate)]),
          [...expected].sort((x, y) => x[0] - y[0]).map(([slot, a]) => [slot, answers(a)]),
        );
      }),
    );
  });

  it('keeps a single value in five bytes and derives its sketch', () => {
    const one = encodeBlock([{ slot: 17, aggregate: aggregateOf([52.37]) }]);
    assert.equal(one.length, 5);
    const [decoded] = decodeBlock(one);
    assert.equal(statisticOf(decoded!.aggregate, parseStatistic('p99')!), 52.37);
    // A statistic set of one value has no distribution: no percentile, as before packing.
    const set = decodeBlock(
      encodeBlock([{ slot: 0, aggregate: aggregateOf([], { SampleCount: 2, Sum: 4, Minimum: 2, Maximum: 2 }) }]),
    );
    assert.equal(statisticOf(set[0]!.aggregate, parseStatistic('p50')!), undefined);
    assert.equal(statisticOf(set[0]!.aggregate, parseStatistic('Sum')!), 4);
  });

  it('trims the buckets before a slot, and places buckets in blocks', () => {
    const packed = encodeBlock([0, 5, 30, 59].map((slot) => ({ slot, aggregate: aggregateOf([slot]) })));
    const trimmed = trimBlock(packed, 6);
    assert.equal(trimmed.removed, 2);
    assert.deepEqual(
      decodeBlock(trimmed.body!).map((b) => b.slot),
      [30, 59],
    );
    assert.deepEqual(trimBlock(packed, 60), { body: undefined, removed: 4 });
    assert.equal(trimBlock(packed, 0).body, packed);
    assert.deepEqual(blockOf(3_600_000 * 5 + 17 * 60_000, 60), { start: 3_600_000 * 5, slot: 17 });
    assert.deepEqual(blockOf(3_600_000 * 5 + 600_000, 300), { start: 3_600_000 * 5, slot: 2 });
    assert.deepEqual(blockOf(3_600_000 * 5, 3600), { start: 3_600_000 * 5, slot: 0 });
    assert.deepEqual(blockOf(60_000 * 7 + 42_000, 1), { start: 60_000 * 7, slot: 42 });
  });
});
