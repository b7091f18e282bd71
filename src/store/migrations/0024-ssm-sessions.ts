import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Session Manager sessions (store/ssm-session-repository.ts): a row per session, the API's queried
 * fields as columns. DescribeSessions reads one state's statuses newest first; the retention sweep
 * reads by end date.
 */
export const ssmSessionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('ssm_sessions')
      .addColumn('session_id', 'text', (c) => c.primaryKey())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('start_date', 'bigint', (c) => c.notNull())
      .addColumn('end_date', 'bigint')
      .addColumn('document_name', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
      .execute();
    await db.schema
      .createIndex('ssm_sessions_status')
      .on('ssm_sessions')
      .columns(['status', 'start_date', 'session_id'])
      .execute();
    await db.schema.createIndex('ssm_sessions_end_date').on('ssm_sessions').column('end_date').execute();
  },
};
