import type { Kysely, Migration } from 'kysely';

/* KMS keys and aliases (store/kms-repository.ts): key material sealed with the master key. */
export const kmsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('kms_keys')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull().unique())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('material', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('kms_aliases')
      .addColumn('alias_name', 'text', (c) => c.primaryKey())
      .addColumn('target_key_id', 'text', (c) => c.notNull().references('kms_keys.key_id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('kms_aliases_target').on('kms_aliases').column('target_key_id').execute();
  },
};
