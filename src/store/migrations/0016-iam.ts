import { sql, type Kysely, type Migration } from 'kysely';

/*
 * IAM (store/iam-repository.ts). Users stay in iam_users, where `berth iam create-user` put them,
 * with a path and a JSON body (tags, inline policies, attached policies, groups, boundary), so
 * those users become IAM users with the same name, id, ARN and keys. Groups, roles, managed
 * policies and instance profiles share one table keyed by (kind, name). Access keys keep their
 * sealed secrets and gain when they were last used.
 */
export const iamMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('iam_users')
      .addColumn('path', 'text', (c) => c.notNull().defaultTo('/'))
      .execute();
    await db.schema
      .alterTable('iam_users')
      .addColumn('body', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
      .execute();
    await db.schema.alterTable('access_keys').addColumn('last_used', 'text').execute();
    await db.schema.createIndex('access_keys_user').on('access_keys').column('user_name').execute();
    await db.schema
      .createTable('iam_entities')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('iam_entities_pk', ['kind', 'name'])
      .execute();
  },
};
