import { sql, type Kysely, type Migration } from 'kysely';

/*
 * Parameter Store (store/ssm-repository.ts): a row per parameter (its revision, newest version and
 * tags) and a row per version (value, labels, what the API reports). Names are ASCII, so a
 * hierarchy is a range scan over the primary key.
 */
export const ssmMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('ssm_parameters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
      .execute();
    await db.schema
      .createTable('ssm_parameter_versions')
      .addColumn('name', 'text', (c) => c.notNull().references('ssm_parameters.name').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
      .addColumn('modified_at', 'bigint', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ssm_parameter_versions_pk', ['name', 'version'])
      .execute();
  },
};
