import type { Kysely, Migration } from 'kysely';

/*
 * Leases (store/leases.ts): a row per lease — the server loops' singletons (loop:<name>), the service
 * scheduler's shards (cluster:<arn>) and the servers' own presence (server:<holder>). Times are epoch
 * milliseconds of the database's clock.
 */
export const leasesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('acquired_at', 'bigint', (c) => c.notNull())
      .addColumn('renewed_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
