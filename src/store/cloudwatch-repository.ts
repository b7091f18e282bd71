/**
 * CloudWatch metrics and alarms. Datapoints are stored as aggregates per metric, unit, resolution
 * and bucket (never raw values), packed by the caller into blocks of consecutive buckets (one row
 * per metric, unit, resolution and block); the bytes and how two blocks merge are the caller's, so
 * the store knows nothing of buckets or sketches. Times are Dates, resolutions seconds.
 */
export interface MetricRecord {
  /** The metric's identity: namespace, name and sorted dimensions (cloudwatch/metric-key.ts). */
  readonly key: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
  readonly lastPutAt: Date;
}

export interface BlockRecord {
  readonly key: string;
  /** 'None' when the datapoints had no unit. */
  readonly unit: string;
  /** Bucket width in seconds: 1, 60, 300 or 3600. */
  readonly resolution: number;
  /** The block's start; its width is the caller's (cloudwatch/packed-buckets.ts). */
  readonly start: Date;
  /** The packed buckets (cloudwatch/packed-buckets.ts). */
  readonly body: Uint8Array;
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
   * In one transaction: upserts the metrics (their last put time, to within a minute) and merges each block into the
   * stored one of the same key, unit, resolution and start with `merge` (stored first).
   */
  putDatapoints(
    metrics: readonly MetricRecord[],
    blocks: readonly BlockRecord[],
    merge: (stored: Uint8Array, added: Uint8Array) => Uint8Array,
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
  /** The blocks of these metrics (every unit) at one resolution with from <= start < to, in start order. */
  readBlocks(
    keys: readonly string[],
    query: { readonly resolution: number; readonly from: Date; readonly to: Date },
  ): Promise<BlockRecord[]>;
  /**
   * Retention: hands each block of the resolution that starts before `before` to `trim`, which
   * answers what is left of it (undefined: delete the row) and how many buckets went; resolves
   * with the sum of those.
   */
  pruneBlocks(
    resolution: number,
    before: Date,
    trim: (block: { readonly start: Date; readonly body: Uint8Array }) => {
      readonly body: Uint8Array | undefined;
      readonly removed: number;
    },
  ): Promise<number>;
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
