import type { CloudWatchDeps } from './deps.ts';
import { getMetricData } from './get-metric-data.ts';
import { getMetricStatistics } from './get-metric-statistics.ts';
import { listMetrics } from './list-metrics.ts';
import { putMetricData } from './put-metric-data.ts';
import type { CloudWatchApi } from './shapes.generated.ts';

/** The CloudWatch operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function cloudWatchOperations(deps: CloudWatchDeps): Partial<CloudWatchApi> {
  return {
    PutMetricData: (input) => putMetricData(deps, input),
    ListMetrics: (input) => listMetrics(deps, input),
    GetMetricStatistics: (input) => getMetricStatistics(deps, input),
    GetMetricData: (input) => getMetricData(deps, input),
  };
}
