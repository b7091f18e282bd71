import type { Kysely, Migration } from 'kysely';

/* STS sessions (store/sts-repository.ts): the secret sealed, the session token as its SHA-256. */
export const stsSessionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('sts_sessions')
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('secret_access_key', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('source_access_key_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sts_sessions_expires_at').on('sts_sessions').column('expires_at').execute();
  },
};
