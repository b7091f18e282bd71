import { elbMetricData, type ConnectionCarry, type DataPlane } from '../elb/index.ts';
import type { MetricPublisher } from '../shared/metric-publisher.ts';

const MINUTE_MS = 60_000;

/**
 * Takes the proxy's counters and writes them as the AWS/ApplicationELB datapoints of the minute
 * going on: what each take counted went by in the period before it, so with periods of a few
 * seconds a count lands in the wrong minute only if it came in those seconds before the minute's end.
 */
export function elbMetricsPublisher(dataPlane: DataPlane, publisher: MetricPublisher) {
  const carry: ConnectionCarry = new Map();
  return async (nowMs: number): Promise<number> => {
    const traffic = dataPlane.takeTraffic?.() ?? [];
    if (traffic.length === 0) return 0;
    const data = elbMetricData(traffic, Math.floor(nowMs / MINUTE_MS) * MINUTE_MS, carry);
    await publisher.publish('AWS/ApplicationELB', data);
    return data.length;
  };
}
