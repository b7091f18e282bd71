import type { Kysely, Migration } from 'kysely';

/*
 * Application Auto Scaling (store/application-autoscaling-repository.ts): scalable targets,
 * scaling policies, scheduled actions and scaling activities in one table, a JSON body each.
 */
export const applicationAutoScalingMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('autoscaling_records')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('autoscaling_records_pk', ['kind', 'id'])
      .execute();
    await db.schema
      .createIndex('autoscaling_records_by_target')
      .on('autoscaling_records')
      .columns(['kind', 'target', 'created_at'])
      .execute();
  },
};
