import type { Generated } from 'kysely';

/** Kysely's view of the CloudWatch tables (migrations/0022-cloudwatch.ts, 0027-cloudwatch-packed.ts); times are epoch milliseconds. */
export interface CwMetricsTable {
  metric_key: string;
  namespace: string;
  metric_name: string;
  /** [{Name, Value}] sorted by name, as JSON. */
  dimensions: string;
  last_put_at: number;
}

/** One row per metric and unit (migrations/0027-cloudwatch-packed.ts): the integer id blocks are keyed by. */
export interface CwSeriesTable {
  id: Generated<number>;
  metric_key: string;
  unit: string;
}

/** A block of a series' buckets at one resolution, packed by cloudwatch/packed-buckets.ts. */
export interface CwBlocksTable {
  resolution: number;
  block_start: number;
  series_id: number;
  body: Uint8Array;
}

export interface CwAlarmsTable {
  name: string;
  revision: number;
  body: string;
}

export interface CwAlarmHistoryTable {
  id: string;
  alarm_name: string;
  timestamp: number;
  item_type: string;
  body: string;
}

export interface CloudWatchTables {
  cw_metrics: CwMetricsTable;
  cw_series: CwSeriesTable;
  cw_blocks: CwBlocksTable;
  cw_alarms: CwAlarmsTable;
  cw_alarm_history: CwAlarmHistoryTable;
}
