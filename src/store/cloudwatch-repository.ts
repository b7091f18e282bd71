/**
 * CloudWatch metrics and alarms. Datapoints are stored as aggregates per metric, resolution, unit
 * and bucket (never raw values); merging a new aggregate into a stored one is the caller's
 * function, so the store knows nothing of sketches. Times are Dates, resolutions seconds.
 */
export interface MetricRecord {
  /** The metric's identity: namespace, name and sorted dimensions (cloudwatch/metric-key.ts). */
  readonly key: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
  readonly lastPutAt: Date;
}

export interface AggregateRecord {
  readonly key: string;
  /** Bucket width in seconds: 1, 60, 300 or 3600. */
  readonly resolution: number;
  /** '' when the datapoints had no unit (CloudWatch's None). */
  readonly unit: string;
  readonly start: Date;
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  /** The percentile sketch, serialized by cloudwatch/sketch.ts. */
  readonly sketch: string;
}

export interface AlarmRecord {
  readonly name: string;
  /** Bumped by every write: a write names the revision it read. */
  readonly revision: number;
  /** The alarm as cloudwatch/ keeps it (configuration, state, tags), as JSON-able data. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface AlarmHistoryRecord {
  /** Sortable and unique: time then a random suffix. */
  readonly id: string;
  readonly alarmName: string;
  readonly timestamp: Date;
  readonly itemType: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface CloudWatchRepository {
  /**
   * In one transaction: upserts the metrics (their last put time) and merges each aggregate into
   * the stored one of the same key, resolution, unit and bucket with `merge`.
   */
  putDatapoints(
    metrics: readonly MetricRecord[],
    aggregates: readonly AggregateRecord[],
    merge: (stored: AggregateRecord, added: AggregateRecord) => AggregateRecord,
  ): Promise<void>;
  /** Metrics in key order after `after`, of one namespace and name when given, put since `activeSince`. */
  listMetrics(query: {
    readonly namespace?: string;
    readonly metricName?: string;
    readonly activeSince?: Date;
    readonly after?: string;
    readonly limit: number;
  }): Promise<MetricRecord[]>;
  getMetrics(keys: readonly string[]): Promise<MetricRecord[]>;
  /** The aggregates of these metrics at one resolution with from <= start < to, in start order. */
  readAggregates(
    keys: readonly string[],
    query: { readonly resolution: number; readonly from: Date; readonly to: Date },
  ): Promise<AggregateRecord[]>;
  /** Deletes aggregates of a resolution that start before `before`; resolves with how many. */
  pruneAggregates(resolution: number, before: Date): Promise<number>;
  /** Forgets metrics with no put since `before` (their datapoints are gone by then). */
  pruneMetrics(before: Date): Promise<number>;

  getAlarm(name: string): Promise<AlarmRecord | undefined>;
  getAlarms(names: readonly string[]): Promise<AlarmRecord[]>;
  /** Alarms in name order, starting with `prefix`, after `after`. */
  listAlarms(query: {
    readonly prefix?: string;
    readonly after?: string;
    readonly limit: number;
  }): Promise<AlarmRecord[]>;
  /**
   * Writes the alarm if its stored revision is still `expectRevision` (undefined: it must not
   * exist), with the history items, in one transaction; false when someone else wrote first.
   */
  writeAlarm(
    alarm: { readonly name: string; readonly body: Readonly<Record<string, unknown>> },
    options: { readonly expectRevision: number | undefined; readonly history?: readonly AlarmHistoryRecord[] },
  ): Promise<boolean>;
  /** Appends history items that change no alarm (the outcome of an alarm action). */
  appendHistory(items: readonly AlarmHistoryRecord[]): Promise<void>;
  /** Deletes the alarms (their history stays, as CloudWatch keeps it for its own period). */
  deleteAlarms(names: readonly string[]): Promise<void>;
  /** History items with from <= timestamp < to, in (timestamp, id) order or its reverse. */
  listHistory(query: {
    readonly alarmName?: string;
    readonly itemType?: string;
    readonly from: Date;
    readonly to: Date;
    readonly descending: boolean;
    /** The id to continue after (exclusive), in the chosen order. */
    readonly after?: string;
    readonly limit: number;
  }): Promise<AlarmHistoryRecord[]>;
  /** Deletes history items older than `before` (CloudWatch keeps 30 days). */
  pruneHistory(before: Date): Promise<number>;
}
