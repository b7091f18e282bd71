/** Kysely's view of the Session Manager sessions table (migrations/0024-ssm-sessions.ts); times are epoch milliseconds. */
export interface SsmSessionsTable {
  session_id: string;
  target: string;
  owner: string;
  status: string;
  start_date: number;
  end_date: number | null;
  document_name: string;
  details: string;
}

export interface SsmSessionTables {
  ssm_sessions: SsmSessionsTable;
}
