import type { Generated } from 'kysely';

/** Kysely's view of the CloudWatch Logs tables (migrations/0009-logs.ts); times are epoch milliseconds. */
export interface LogGroupsTable {
  id: Generated<number>;
  name: string;
  created_at: number;
  retention_in_days: number | null;
  log_group_class: string;
  stored_bytes: Generated<number>;
  next_seq: Generated<number>;
  tags: string;
  details: string;
}

export interface LogStreamsTable {
  id: Generated<number>;
  group_id: number;
  name: string;
  created_at: number;
  first_event_timestamp: number | null;
  last_event_timestamp: number | null;
  last_ingestion_time: number | null;
  uploads: Generated<number>;
  stored_bytes: Generated<number>;
}

export interface LogEventsTable {
  group_id: number;
  stream_id: number;
  timestamp: number;
  seq: number;
  ingestion_time: number;
  /** UTF-8 bytes of the message. */
  size: number;
  message: string;
}

export interface LogTables {
  log_groups: LogGroupsTable;
  log_streams: LogStreamsTable;
  log_events: LogEventsTable;
}
