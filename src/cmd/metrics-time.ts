import { cloudWatchPublisher } from '../cloudwatch/index.ts';
import { timeScale, type Clock, type TimeScale } from '../shared/clock.ts';
import type { ServerConfig } from '../shared/config.ts';
import type { MetricPublisher } from '../shared/metric-publisher.ts';
import type { MetadataStore } from '../store/index.ts';

const AWS_MINUTE_MS = 60_000;

/**
 * Metrics time, the test knob BERTH_METRICS_MINUTE_MS: the clock of CloudWatch (datapoint and
 * alarm timestamps, period boundaries, retention), of Application Auto Scaling (cooldowns,
 * scheduled actions, activities) and of Berth's own metric publishers. At 60000 (the default,
 * AWS's minute) it is the server's clock itself; shorter, it runs 60000/minuteMs times faster than
 * the server's clock from the server's start, so every CloudWatch minute lasts minuteMs and the
 * loops that act on that time (alarm evaluator, publishers, scheduled actions, retention, the
 * agents' sampling) run as many times more often. ECS, ELB, Logs and the rest keep real time.
 */
export function metricsTime(config: Pick<ServerConfig, 'metricsMinuteMs'>, clock: Clock): TimeScale {
  return timeScale(clock, AWS_MINUTE_MS / config.metricsMinuteMs);
}

/**
 * A publisher for datapoints stamped in real time (the minutes of log events that metric filters
 * count): they land at the scaled instant of their minute's start. The publisher itself at 1.
 */
export function inMetricsTime(publisher: MetricPublisher, time: TimeScale): MetricPublisher {
  if (time.speedup === 1) return publisher;
  return {
    publish: (namespace, data) =>
      publisher.publish(
        namespace,
        data.map((datum) => ({ ...datum, Timestamp: time.scaled(datum.Timestamp) })),
      ),
  };
}

/** CloudWatch's way in for the metrics of log events (metric filters), in metrics time. */
export function metricsPublisher(store: MetadataStore, time: TimeScale): MetricPublisher {
  return inMetricsTime(cloudWatchPublisher({ store, clock: time.clock }), time);
}

/**
 * How often a `berth agent` samples its tasks: ECS's 20 s, as much shorter as metrics time is
 * faster when the agent is given the server's BERTH_METRICS_MINUTE_MS (the server bins samples at
 * the scaled instant of their time, so their pace is all the agent has to know).
 */
export function agentTelemetryIntervalMs(env: NodeJS.ProcessEnv): number {
  const value = env.BERTH_METRICS_MINUTE_MS;
  if (value === undefined || value === '') return 20_000;
  if (!/^\d{4,5}$/.test(value) || +value < 1000 || +value > AWS_MINUTE_MS)
    throw new Error(`BERTH_METRICS_MINUTE_MS must be milliseconds from 1000 to 60000 (got '${value}')`);
  return Math.round((20_000 * Number(value)) / AWS_MINUTE_MS);
}
