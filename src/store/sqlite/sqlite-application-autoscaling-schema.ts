/** Kysely's view of Application Auto Scaling's table (migrations/0026-application-autoscaling.ts). */
export interface AutoScalingRecordsTable {
  kind: string;
  id: string;
  target: string;
  /** Epoch ms. */
  created_at: number;
  revision: number;
  body: string;
}

export interface ApplicationAutoScalingTables {
  autoscaling_records: AutoScalingRecordsTable;
}
