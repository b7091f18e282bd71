import type { PublishedDatum } from '../shared/metric-publisher.ts';
import type { LogGroupRecord, NewLogEvent } from '../store/index.ts';
import type { LogsDeps } from './log-groups.ts';
import { metricFiltersOf } from './metric-filters.ts';
import { compileMetricFilter, type FilterMetric } from './metric-transformation.ts';

/*
 * Metric filters at work: each stored batch of a group runs through the group's filters (events ×
 * filters, each once), and the data go out through the MetricPublisher, one publish per namespace
 * per batch. Values of one metric in one minute are sent as values with their counts, so
 * CloudWatch keeps their Sum, SampleCount, extremes and percentiles as for separate datapoints.
 * Publishing follows the store's write: a failure is logged and never fails PutLogEvents.
 */

const MINUTE_MS = 60_000;

interface Series {
  readonly metric: FilterMetric;
  readonly minute: number;
  readonly counts: Map<number, number>;
}

/** The metric data a batch yields, by namespace (pure). */
export function filterMetricData(group: LogGroupRecord, events: readonly NewLogEvent[]): Map<string, PublishedDatum[]> {
  const series = new Map<string, Series>();
  for (const filter of metricFiltersOf(group)) {
    const datumOf = compileMetricFilter(filter);
    for (const event of events) {
      const metric = datumOf(event.message);
      if (metric === undefined) continue;
      const minute = Math.floor(event.timestamp / MINUTE_MS) * MINUTE_MS;
      const key = JSON.stringify([metric.namespace, metric.metricName, metric.dimensions, metric.unit, minute]);
      let entry = series.get(key);
      if (!entry) series.set(key, (entry = { metric, minute, counts: new Map() }));
      entry.counts.set(metric.value, (entry.counts.get(metric.value) ?? 0) + 1);
    }
  }
  const byNamespace = new Map<string, PublishedDatum[]>();
  for (const { metric, minute, counts } of series.values()) {
    const data = byNamespace.get(metric.namespace) ?? [];
    data.push({
      MetricName: metric.metricName,
      Dimensions: metric.dimensions,
      Unit: metric.unit,
      Timestamp: new Date(minute),
      Values: [...counts.keys()],
      Counts: [...counts.values()],
    });
    byNamespace.set(metric.namespace, data);
  }
  return byNamespace;
}

/** Publishes what the group's filters make of a stored batch; logs and swallows any failure. */
export async function publishFilterMetrics(
  deps: LogsDeps,
  group: LogGroupRecord,
  events: readonly NewLogEvent[],
): Promise<void> {
  if (!deps.publisher || events.length === 0 || metricFiltersOf(group).length === 0) return;
  try {
    for (const [namespace, data] of filterMetricData(group, events)) await deps.publisher.publish(namespace, data);
  } catch (error) {
    deps.logger?.warn({ err: error, logGroupName: group.name }, 'metric filters: publishing failed');
  }
}
