import type { CloudWatchDeps } from './deps.ts';
import { metricKey } from './metric-key.ts';
import { resolutionFor } from './resolutions.ts';
import type { Dimension } from './shapes.generated.ts';
import { emptyAggregate, mergeAggregate, type Aggregate } from './statistics.ts';
import { firstBlockStart, unpackBuckets } from './stored-aggregate.ts';

export interface SeriesQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: readonly Dimension[] | undefined;
  readonly periodSeconds: number;
  readonly start: Date;
  readonly end: Date;
  /** Only datapoints sent with this unit; all units together when absent. */
  readonly unit?: string | undefined;
}

/** One period's aggregate, per unit (GetMetricStatistics answers a datapoint per period and unit). */
export interface PeriodAggregate {
  readonly start: number;
  readonly unit: string;
  readonly aggregate: Aggregate;
}

/**
 * A metric's aggregates per period over [start, end), periods aligned on multiples of the period
 * since the epoch, read from the coarsest stored resolution that divides the period.
 */
export async function readPeriods(
  deps: CloudWatchDeps,
  query: SeriesQuery,
  options: { byUnit: boolean },
): Promise<PeriodAggregate[]> {
  const resolution = resolutionFor(query.periodSeconds, query.start, deps.clock.now());
  if (resolution === undefined) return [];
  const periodMs = query.periodSeconds * 1000;
  const from = Math.floor(query.start.getTime() / periodMs) * periodMs;
  const key = metricKey(query.namespace, query.metricName, query.dimensions ?? []);
  const blocks = await deps.store.cloudWatch.readBlocks([key], {
    resolution,
    from: new Date(firstBlockStart(from, resolution)),
    to: query.end,
  });
  const periods = new Map<string, PeriodAggregate>();
  for (const bucket of unpackBuckets(blocks, { from, to: query.end.getTime() })) {
    if (query.unit !== undefined && bucket.unit !== query.unit) continue;
    const start = Math.floor(bucket.start / periodMs) * periodMs;
    const unit = options.byUnit ? bucket.unit : (query.unit ?? '');
    const id = `${start}/${unit}`;
    let period = periods.get(id);
    if (!period) {
      period = { start, unit, aggregate: emptyAggregate() };
      periods.set(id, period);
    }
    mergeAggregate(period.aggregate, bucket.aggregate);
  }
  return [...periods.values()].sort((a, b) => a.start - b.start);
}
