import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Versioned schema migrations, applied in name order at start (Kysely's Migrator records them in
 * kysely_migration). Written with Kysely's schema builder so SQLite and PostgreSQL share them.
 * Never edit a migration that has shipped: add the next one.
 */
export const migrations: Record<string, Migration> = {
  '0001-clusters': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('clusters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('arn', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
        .execute();
    },
  },
};
