/**
 * Where Berth's own metrics go (AWS/ECS from the agents' telemetry, AWS/ApplicationELB from the
 * load balancer proxy): CloudWatch, in process. The `AWS/` namespaces are closed to PutMetricData,
 * so this is the one way in. Members are named as CloudWatch's MetricDatum names them.
 */
export interface PublishedDatum {
  readonly MetricName: string;
  readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
  /** CloudWatch's unit names: Percent, Count, Seconds... */
  readonly Unit: string;
  /** The start of the minute the datum is for. */
  readonly Timestamp: Date;
  /** One of: a single value, a statistic set, or values with their counts (a distribution). */
  readonly Value?: number;
  readonly StatisticValues?: {
    readonly SampleCount: number;
    readonly Sum: number;
    readonly Minimum: number;
    readonly Maximum: number;
  };
  readonly Values?: readonly number[];
  readonly Counts?: readonly number[];
}

export interface MetricPublisher {
  publish(namespace: string, data: readonly PublishedDatum[]): Promise<void>;
}

/** Publishes nowhere (a server without CloudWatch, and tests that do not look). */
export const discardMetrics: MetricPublisher = { publish: () => Promise.resolve() };
