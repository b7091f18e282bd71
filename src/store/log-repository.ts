/**
 * CloudWatch Logs data: log groups, their streams and the streams' events. Groups and streams are
 * addressed by name; events are ordered by (timestamp, seq), where seq is assigned by the store,
 * unique within a group and increasing in the order events were stored.
 */
export interface LogGroupRecord {
  readonly name: string;
  readonly createdAt: Date;
  /** Days the group keeps events; undefined: forever. */
  readonly retentionInDays: number | undefined;
  readonly logGroupClass: string;
  /** UTF-8 bytes of the messages the group holds, kept by the store (ignored on create). */
  readonly storedBytes: number;
  readonly tags: Readonly<Record<string, string>>;
  /** The API's log group fields the store never queries by (KMS key, deletion protection). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface LogStreamRecord {
  readonly name: string;
  readonly createdAt: Date;
  /** Epoch milliseconds, undefined until the stream has events. */
  readonly firstEventTimestamp: number | undefined;
  readonly lastEventTimestamp: number | undefined;
  readonly lastIngestionTime: number | undefined;
  /** How many appends stored events in the stream (what uploadSequenceToken counts). */
  readonly uploads: number;
}

export interface LogEventRecord {
  readonly streamName: string;
  readonly timestamp: number;
  readonly seq: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** A place between events in (timestamp, seq) order: events at or after it are "after" it. */
export interface LogEventPosition {
  readonly timestamp: number;
  readonly seq: number;
}

export interface LogEventQuery {
  /** Only events of these streams; undefined: of every stream of the group. */
  readonly streamNames?: readonly string[] | undefined;
  readonly streamNamePrefix?: string | undefined;
  /** Ascending: events at or after `from`, oldest first. Descending: events before it, newest first. */
  readonly from: LogEventPosition;
  readonly descending: boolean;
  /** Only timestamps in [startTime, endTime). */
  readonly startTime: number;
  readonly endTime: number;
  readonly limit: number;
}

export interface NewLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export type AppendLogEventsResult =
  { readonly status: 'stored'; readonly uploads: number } | { readonly status: 'no-group' | 'no-stream' };

export interface LogStreamListing {
  readonly namePrefix?: string | undefined;
  /** 'lastEventTime' sorts streams without events as if their last event were at 0. */
  readonly orderBy: 'name' | 'lastEventTime';
  readonly descending: boolean;
  /** The sort key of the last stream of the previous page. */
  readonly after?: { readonly name: string; readonly lastEventTimestamp: number } | undefined;
  readonly limit: number;
}

export interface LogRepository {
  /** Creates the group; false if one of that name exists. */
  createGroup(record: LogGroupRecord): Promise<boolean>;
  getGroup(name: string): Promise<LogGroupRecord | undefined>;
  /** Groups in name (byte) order after `after`, narrowed by the given filters. */
  listGroups(options: {
    namePrefix?: string | undefined;
    nameContains?: string | undefined;
    names?: readonly string[] | undefined;
    logGroupClass?: string | undefined;
    after?: string | undefined;
    limit: number;
  }): Promise<LogGroupRecord[]>;
  /** undefined: keep events forever. False when the group does not exist. */
  setRetention(name: string, days: number | undefined): Promise<boolean>;
  setTags(name: string, tags: Readonly<Record<string, string>>): Promise<boolean>;
  setDetails(name: string, details: Readonly<Record<string, unknown>>): Promise<boolean>;
  /**
   * Compare-and-set of the group's details: writes `next` only if the details are still `expected`
   * (as getGroup returned them), so read-modify-write callers retry instead of losing a change.
   */
  replaceDetails(
    name: string,
    expected: Readonly<Record<string, unknown>>,
    next: Readonly<Record<string, unknown>>,
  ): Promise<'replaced' | 'changed' | 'no-group'>;
  /** Deletes the group with its streams and events. */
  deleteGroup(name: string): Promise<boolean>;

  createStream(groupName: string, record: LogStreamRecord): Promise<'created' | 'exists' | 'no-group'>;
  getStream(groupName: string, streamName: string): Promise<LogStreamRecord | undefined>;
  listStreams(groupName: string, options: LogStreamListing): Promise<LogStreamRecord[]>;
  /** Deletes the stream with its events. */
  deleteStream(groupName: string, streamName: string): Promise<boolean>;

  /**
   * Stores the events in the order given, in one transaction, and updates the stream's and the
   * group's figures (first/last timestamps, ingestion time, uploads, stored bytes).
   */
  appendEvents(
    groupName: string,
    streamName: string,
    events: readonly NewLogEvent[],
    ingestionTime: number,
  ): Promise<AppendLogEventsResult>;
  /** Events of the group in (timestamp, seq) order, or the reverse; [] when the group is missing. */
  queryEvents(groupName: string, query: LogEventQuery): Promise<LogEventRecord[]>;
  /** Deletes the group's events with a timestamp before `timestamp`; returns how many. */
  deleteEventsBefore(groupName: string, timestamp: number): Promise<number>;
}
