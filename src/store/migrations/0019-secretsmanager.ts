import type { Kysely, Migration } from 'kysely';

/* Secrets Manager (store/secrets-repository.ts): values kept only encrypted under their KMS key. */
export const secretsManagerMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('secrets')
      .addColumn('arn', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('secret_versions')
      .addColumn('secret_arn', 'text', (c) => c.notNull().references('secrets.arn').onDelete('cascade'))
      .addColumn('version_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('stages', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('last_accessed_at', 'bigint')
      .addPrimaryKeyConstraint('secret_versions_pk', ['secret_arn', 'version_id'])
      .execute();
  },
};
