import type { MetricRecord } from '../store/index.ts';
import type { CloudWatchDeps } from './deps.ts';
import { decodeToken, encodeToken } from './page-tokens.ts';
import type { DimensionFilter, ListMetricsInput, ListMetricsOutput } from './shapes.generated.ts';

const PAGE = 500;
/** Store pages read per call at most: a sparse filter answers fewer metrics and a NextToken. */
const MAX_SCANS = 20;
/** ListMetrics shows metrics with data in the last two weeks; RecentlyActive PT3H, three hours. */
const LISTED_MS = 14 * 24 * 3_600_000;
const RECENT_MS = 3 * 3_600_000;

export async function listMetrics(deps: CloudWatchDeps, input: ListMetricsInput): Promise<ListMetricsOutput> {
  const now = deps.clock.now().getTime();
  const activeSince = new Date(now - (input.RecentlyActive === 'PT3H' ? RECENT_MS : LISTED_MS));
  const found: MetricRecord[] = [];
  let after = decodeToken(input.NextToken);
  for (let scan = 0; scan < MAX_SCANS && found.length < PAGE; scan++) {
    const limit = PAGE - found.length;
    const page = await deps.store.cloudWatch.listMetrics({
      ...(input.Namespace === undefined ? {} : { namespace: input.Namespace }),
      ...(input.MetricName === undefined ? {} : { metricName: input.MetricName }),
      activeSince,
      ...(after === undefined ? {} : { after }),
      limit,
    });
    found.push(...page.filter((metric) => matchesDimensions(metric, input.Dimensions ?? [])));
    if (page.length < limit) {
      after = undefined; // the listing is exhausted
      break;
    }
    after = page.at(-1)!.key;
  }
  return {
    Metrics: found.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: [...m.dimensions] })),
    ...(after === undefined ? {} : { NextToken: encodeToken(after) }),
  };
}

/** Each filter names a dimension the metric has, with that value when the filter gives one. */
export function matchesDimensions(metric: MetricRecord, filters: readonly DimensionFilter[]): boolean {
  return filters.every((filter) =>
    metric.dimensions.some((d) => d.Name === filter.Name && (filter.Value === undefined || d.Value === filter.Value)),
  );
}
