import type { MetricPublisher, PublishedDatum } from '../shared/metric-publisher.ts';
import type { MetricRecord } from '../store/index.ts';
import type { CloudWatchDeps } from './deps.ts';
import { metricKey, sortedDimensions } from './metric-key.ts';
import { resolutionsFor } from './resolutions.ts';
import { addStatisticSet, addValue, type Aggregate } from './statistics.ts';
import { BucketBatch, mergeStored } from './stored-aggregate.ts';

/**
 * The way in for the metrics Berth publishes itself (AWS/ECS, AWS/ApplicationELB): written as
 * PutMetricData writes (1-minute storage resolution, every rollup), without its checks, which
 * close the `AWS/` namespaces to users. The callers are Berth's own loops, never a request.
 */

export function cloudWatchPublisher(deps: Pick<CloudWatchDeps, 'store' | 'clock'>): MetricPublisher {
  return { publish: (namespace, data) => publishMetricData(deps, namespace, data) };
}

export async function publishMetricData(
  deps: Pick<CloudWatchDeps, 'store' | 'clock'>,
  namespace: string,
  data: readonly PublishedDatum[],
): Promise<void> {
  if (data.length === 0) return;
  const now = deps.clock.now();
  const metrics = new Map<string, MetricRecord>();
  const batch = new BucketBatch();
  for (const datum of data) {
    const key = metricKey(namespace, datum.MetricName, datum.Dimensions);
    metrics.set(key, {
      key,
      namespace,
      metricName: datum.MetricName,
      dimensions: sortedDimensions(datum.Dimensions),
      lastPutAt: now,
    });
    for (const resolution of resolutionsFor(60)) {
      addDatum(batch.bucket({ key, unit: datum.Unit, resolution }, datum.Timestamp.getTime()), datum);
    }
  }
  await deps.store.cloudWatch.putDatapoints([...metrics.values()], batch.blocks(), mergeStored);
}

function addDatum(aggregate: Aggregate, datum: PublishedDatum): void {
  if (datum.Value !== undefined) addValue(aggregate, datum.Value);
  else if (datum.StatisticValues !== undefined) addStatisticSet(aggregate, datum.StatisticValues);
  else {
    datum.Values?.forEach((value, i) => {
      const count = datum.Counts?.[i] ?? 1;
      if (count > 0) addValue(aggregate, value, count);
    });
  }
}
