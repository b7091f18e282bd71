import type { BlockRecord } from '../store/index.ts';
import { blockOf, BLOCK_SECONDS, decodeBlock, encodeBlock, mergeBlocks, trimBlock } from './packed-buckets.ts';
import { bucketStart, type Resolution } from './resolutions.ts';
import { emptyAggregate, type Aggregate } from './statistics.ts';

/**
 * Buckets as the store keeps them: packed in blocks (packed-buckets.ts), and back. A write's
 * buckets are gathered per metric, unit, resolution and bucket first (one aggregate each, however
 * many of the call's datapoints fall in it), then packed per block: the store merges each block
 * into its stored one with `mergeStored`.
 */
export class BucketBatch {
  readonly #buckets = new Map<
    string,
    { key: string; unit: string; resolution: Resolution; start: number; aggregate: Aggregate }
  >();

  /** The aggregate of the bucket holding `timeMs`, to add the datum to. */
  bucket(where: { key: string; unit: string; resolution: Resolution }, timeMs: number): Aggregate {
    const start = bucketStart(timeMs, where.resolution);
    const id = `${where.resolution}/${start}/${where.unit}/${where.key}`;
    let bucket = this.#buckets.get(id);
    if (!bucket) this.#buckets.set(id, (bucket = { ...where, start, aggregate: emptyAggregate() }));
    return bucket.aggregate;
  }

  blocks(): BlockRecord[] {
    const blocks = new Map<
      string,
      { record: Omit<BlockRecord, 'body'>; buckets: { slot: number; aggregate: Aggregate }[] }
    >();
    for (const bucket of this.#buckets.values()) {
      const { start, slot } = blockOf(bucket.start, bucket.resolution);
      const id = `${bucket.resolution}/${start}/${bucket.unit}/${bucket.key}`;
      let block = blocks.get(id);
      if (!block) {
        block = {
          record: { key: bucket.key, unit: bucket.unit, resolution: bucket.resolution, start: new Date(start) },
          buckets: [],
        };
        blocks.set(id, block);
      }
      block.buckets.push({ slot, aggregate: bucket.aggregate });
    }
    return [...blocks.values()].map((b) => ({ ...b.record, body: encodeBlock(b.buckets) }));
  }
}

/** The store's merge function: a stored block and a new one become one. */
export const mergeStored = mergeBlocks;

/** The buckets of stored blocks that start in [from, to), with their start and unit. */
export function unpackBuckets(
  blocks: readonly BlockRecord[],
  range: { from: number; to: number },
): { start: number; unit: string; aggregate: Aggregate }[] {
  const buckets: { start: number; unit: string; aggregate: Aggregate }[] = [];
  for (const block of blocks) {
    const width = block.resolution * 1000;
    for (const { slot, aggregate } of decodeBlock(block.body)) {
      const start = block.start.getTime() + slot * width;
      if (start >= range.from && start < range.to) buckets.push({ start, unit: block.unit, aggregate });
    }
  }
  return buckets;
}

/** The first block start to read for buckets from `fromMs` on. */
export function firstBlockStart(fromMs: number, resolution: Resolution): number {
  const width = BLOCK_SECONDS[resolution] * 1000;
  return Math.floor(fromMs / width) * width;
}

/** Retention's trim: the block without its buckets starting before `beforeMs`. */
export function trimBefore(
  beforeMs: number,
  resolution: Resolution,
): (block: { start: Date; body: Uint8Array }) => { body: Uint8Array | undefined; removed: number } {
  return (block) => {
    const firstSlot = Math.ceil((beforeMs - block.start.getTime()) / (resolution * 1000));
    return trimBlock(block.body, firstSlot);
  };
}
