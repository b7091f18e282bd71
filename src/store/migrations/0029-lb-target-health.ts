import type { Kysely, Migration } from 'kysely';

/*
 * Target health reported by `berth lb` processes, for several servers sharing one database
 * (store/target-health-repository.ts): a row per lb and target group, its targets' health as JSON.
 * Times are epoch milliseconds of the database's clock.
 */
export const lbTargetHealthMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('lb_target_health')
      .addColumn('lb_id', 'text', (c) => c.notNull())
      .addColumn('target_group_arn', 'text', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('lb_target_health_pk', ['lb_id', 'target_group_arn'])
      .execute();
  },
};
