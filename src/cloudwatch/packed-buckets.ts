import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-codec.ts';
import type { Resolution } from './resolutions.ts';
import { addToSketch, emptySketch, type Sketch } from './sketch.ts';
import { mergeAggregate, type Aggregate } from './statistics.ts';

/**
 * How the store keeps a metric's buckets: packed, one block of consecutive buckets per row (an
 * hour of 1-minute, 5-minute or 1-hour buckets; a minute of 1-second ones). A block is its
 * buckets in slot order, each the slot's varint and its aggregate:
 *   flags · [count] · minimum · [maximum] · [sum] · [sketch]
 * with what can be derived left out: a count of 1; the maximum when it is the minimum; the sum
 * when it is count × the value; the sketch when every sample is that one value (the sketch of
 * `count` samples of it). A sketch is its zeros, then per sign the bin count and the bins as
 * (index delta, count), indexes ascending. Numbers as byte-codec.ts writes them. A bucket of one
 * value of 52.37 is 5 bytes.
 */

export const BLOCK_SECONDS: Readonly<Record<Resolution, number>> = { 1: 60, 60: 3600, 300: 3600, 3600: 3600 };

export interface PackedBucket {
  /** The bucket's index in its block: (bucket start − block start) / resolution. */
  readonly slot: number;
  readonly aggregate: Aggregate;
}

/** One writer reused by every encode (they are synchronous): finish() hands out a copy. */
const scratch = new ByteWriter(4096);

const ONE = 1;
const SAME = 2;
const SUM_DERIVED = 4;
const SKETCH_DERIVED = 8;

/** The block holding the bucket starting at `bucketStartMs`, and the bucket's slot in it. */
export function blockOf(bucketStartMs: number, resolution: Resolution): { start: number; slot: number } {
  const width = BLOCK_SECONDS[resolution] * 1000;
  const start = Math.floor(bucketStartMs / width) * width;
  return { start, slot: Math.round((bucketStartMs - start) / (resolution * 1000)) };
}

export function encodeBlock(buckets: readonly PackedBucket[]): Uint8Array {
  const writer = scratch.reset();
  const sorted = [...buckets].sort((a, b) => a.slot - b.slot);
  sorted.forEach((bucket, i) => {
    if (i > 0 && sorted[i - 1]!.slot === bucket.slot) throw new Error(`slot ${bucket.slot} packed twice`);
    writer.varint(bucket.slot);
    writeAggregate(writer, bucket.aggregate);
  });
  return writer.finish();
}

export function decodeBlock(bytes: Uint8Array): PackedBucket[] {
  const reader = new ByteReader(bytes);
  const buckets: PackedBucket[] = [];
  while (!reader.done) {
    const slot = reader.varint();
    buckets.push({ slot, aggregate: readAggregate(reader) });
  }
  return buckets;
}

/**
 * The two blocks as one: a slot in both is their merged aggregate, any other is copied as it is
 * (not decoded), so appending a bucket to a block costs its own encoding.
 */
export function mergeBlocks(stored: Uint8Array, added: Uint8Array): Uint8Array {
  const left = scanBlock(stored);
  const right = scanBlock(added);
  const writer = scratch.reset();
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const a = left[i];
    const b = right[j];
    if (b === undefined || (a !== undefined && a.slot < b.slot)) {
      writer.bytes(stored.subarray(a!.from, a!.to));
      i++;
    } else if (a === undefined || b.slot < a.slot) {
      writer.bytes(added.subarray(b.from, b.to));
      j++;
    } else {
      const merged = readAggregate(new ByteReader(stored, a.aggregateAt));
      mergeAggregate(merged, readAggregate(new ByteReader(added, b.aggregateAt)));
      writer.varint(a.slot);
      writeAggregate(writer, merged);
      i++;
      j++;
    }
  }
  return writer.finish();
}

/**
 * The block without its buckets before `firstSlot` (retention): undefined when none is left, and
 * how many went.
 */
export function trimBlock(bytes: Uint8Array, firstSlot: number): { body: Uint8Array | undefined; removed: number } {
  const entries = scanBlock(bytes);
  const kept = entries.filter((e) => e.slot >= firstSlot);
  const removed = entries.length - kept.length;
  if (kept.length === 0) return { body: undefined, removed };
  return { body: removed === 0 ? bytes : bytes.slice(kept[0]!.from), removed };
}

/** How many buckets a block holds, without decoding them. */
export function countBuckets(bytes: Uint8Array): number {
  return scanBlock(bytes).length;
}

interface Entry {
  readonly slot: number;
  readonly from: number;
  readonly aggregateAt: number;
  readonly to: number;
}

function scanBlock(bytes: Uint8Array): Entry[] {
  const reader = new ByteReader(bytes);
  const entries: Entry[] = [];
  while (!reader.done) {
    const from = reader.offset;
    const slot = reader.varint();
    const aggregateAt = reader.offset;
    skipAggregate(reader);
    entries.push({ slot, from, aggregateAt, to: reader.offset });
  }
  return entries;
}

function writeAggregate(writer: ByteWriter, aggregate: Aggregate): void {
  const { sampleCount, minimum, maximum, sum, sketch } = aggregate;
  const same = Object.is(minimum, maximum);
  let flags = 0;
  if (sampleCount === 1) flags |= ONE;
  if (same) flags |= SAME;
  if (same && Object.is(sum, minimum * sampleCount)) flags |= SUM_DERIVED;
  if (same && isSketchOf(sketch, minimum, sampleCount)) flags |= SKETCH_DERIVED;
  writer.byte(flags);
  if (!(flags & ONE)) writer.number(sampleCount);
  writer.number(minimum);
  if (!same) writer.number(maximum);
  if (!(flags & SUM_DERIVED)) writer.number(sum);
  if (!(flags & SKETCH_DERIVED)) writeSketch(writer, sketch);
}

function readAggregate(reader: ByteReader): Aggregate {
  const flags = reader.byte();
  const sampleCount = flags & ONE ? 1 : reader.number();
  const minimum = reader.number();
  const maximum = flags & SAME ? minimum : reader.number();
  const sum = flags & SUM_DERIVED ? minimum * sampleCount : reader.number();
  const sketch = flags & SKETCH_DERIVED ? sketchOf(minimum, sampleCount) : readSketch(reader);
  return { sampleCount, sum, minimum, maximum, sketch };
}

function skipAggregate(reader: ByteReader): void {
  const flags = reader.byte();
  if (!(flags & ONE)) reader.skipNumber();
  reader.skipNumber();
  if (!(flags & SAME)) reader.skipNumber();
  if (!(flags & SUM_DERIVED)) reader.skipNumber();
  if (flags & SKETCH_DERIVED) return;
  reader.skipNumber();
  for (let sign = 0; sign < 2; sign++) {
    const size = reader.varint();
    for (let k = 0; k < size; k++) {
      reader.varint();
      reader.skipNumber();
    }
  }
}

function sketchOf(value: number, count: number): Sketch {
  const sketch = emptySketch();
  addToSketch(sketch, value, count);
  return sketch;
}

/** Whether the sketch is exactly `count` samples of `value`. */
function isSketchOf(sketch: Sketch, value: number, count: number): boolean {
  if (sketch.positive.size + sketch.negative.size + (sketch.zeros > 0 ? 1 : 0) > 1) return false;
  const derived = sketchOf(value, count);
  return (
    sameBins(sketch.positive, derived.positive) &&
    sameBins(sketch.negative, derived.negative) &&
    sketch.zeros === derived.zeros
  );
}

function sameBins(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [index, count] of a) if (!Object.is(b.get(index), count)) return false;
  return true;
}

function writeSketch(writer: ByteWriter, sketch: Sketch): void {
  writer.number(sketch.zeros);
  for (const bins of [sketch.positive, sketch.negative]) {
    const indexes = [...bins.keys()].sort((x, y) => x - y);
    writer.varint(indexes.length);
    let previous = 0;
    indexes.forEach((index, k) => {
      writer.varint(k === 0 ? zigzag(index) : index - previous);
      writer.number(bins.get(index)!);
      previous = index;
    });
  }
}

function readSketch(reader: ByteReader): Sketch {
  const sketch = emptySketch();
  sketch.zeros = reader.number();
  for (const bins of [sketch.positive, sketch.negative]) {
    const size = reader.varint();
    let index = 0;
    for (let k = 0; k < size; k++) {
      index = k === 0 ? unzigzag(reader.varint()) : index + reader.varint();
      bins.set(index, reader.number());
    }
  }
  return sketch;
}
