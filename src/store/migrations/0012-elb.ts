import { sql, type Kysely, type Migration } from 'kysely';

/*
 * ELBv2: load balancers, target groups, listeners and rules in one table keyed by ARN
 * (store/elb-repository.ts). Names are unique per kind (listeners and rules have none: NULLs
 * never collide); parent_arn links a listener to its load balancer and a rule to its listener.
 */
export const elbMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('elb_resources')
      .addColumn('arn', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('parent_arn', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo(sql`'[]'`))
      .execute();
    await db.schema.createIndex('elb_resources_name').on('elb_resources').columns(['kind', 'name']).unique().execute();
    await db.schema.createIndex('elb_resources_parent').on('elb_resources').columns(['parent_arn']).execute();
  },
};
