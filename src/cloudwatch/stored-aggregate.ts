import type { AggregateRecord } from '../store/index.ts';
import { parseSketch, serializeSketch } from './sketch.ts';
import { mergeAggregate, type Aggregate } from './statistics.ts';

/** An aggregate as the store keeps it, and back. */
export function toStored(
  aggregate: Aggregate,
  where: { key: string; resolution: number; unit: string; start: number },
): AggregateRecord {
  return {
    key: where.key,
    resolution: where.resolution,
    unit: where.unit,
    start: new Date(where.start),
    sampleCount: aggregate.sampleCount,
    sum: aggregate.sum,
    minimum: aggregate.minimum,
    maximum: aggregate.maximum,
    sketch: serializeSketch(aggregate.sketch),
  };
}

export function fromStored(record: AggregateRecord): Aggregate {
  return {
    sampleCount: record.sampleCount,
    sum: record.sum,
    minimum: record.minimum,
    maximum: record.maximum,
    sketch: parseSketch(record.sketch),
  };
}

/** The store's merge function: a stored bucket and a new one become one. */
export function mergeStored(stored: AggregateRecord, added: AggregateRecord): AggregateRecord {
  const merged = fromStored(stored);
  mergeAggregate(merged, fromStored(added));
  return toStored(merged, {
    key: stored.key,
    resolution: stored.resolution,
    unit: stored.unit,
    start: stored.start.getTime(),
  });
}
