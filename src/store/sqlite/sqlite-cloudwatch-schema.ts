/** Kysely's view of the CloudWatch tables (migrations/0022-cloudwatch.ts); times are epoch milliseconds. */
export interface CwMetricsTable {
  metric_key: string;
  namespace: string;
  metric_name: string;
  /** [{Name, Value}] sorted by name, as JSON. */
  dimensions: string;
  last_put_at: number;
}

export interface CwDatapointsTable {
  metric_key: string;
  resolution: number;
  unit: string;
  bucket_start: number;
  sample_count: number;
  sum: number;
  minimum: number;
  maximum: number;
  sketch: string;
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
  cw_datapoints: CwDatapointsTable;
  cw_alarms: CwAlarmsTable;
  cw_alarm_history: CwAlarmHistoryTable;
}
