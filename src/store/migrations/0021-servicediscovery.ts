import { sql, type Kysely, type Migration } from 'kysely';

/*
 * AWS Cloud Map (store/servicediscovery-repository.ts): namespaces, services (a namespace with
 * services cannot go: no cascade), instances (go with their service) and operations. Names are
 * unique by their key (unique indexes), so two creates of one name cannot both commit. One row
 * counts every write, for caches of what the DNS answers.
 */
export const serviceDiscoveryMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('servicediscovery_namespaces')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('servicediscovery_services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('arn', 'text', (c) => c.notNull())
      .addColumn('namespace_id', 'text', (c) => c.notNull().references('servicediscovery_namespaces.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('servicediscovery_services_name')
      .on('servicediscovery_services')
      .columns(['namespace_id', 'name_key'])
      .unique()
      .execute();
    await db.schema
      .createTable('servicediscovery_instances')
      .addColumn('service_id', 'text', (c) =>
        c.notNull().references('servicediscovery_services.id').onDelete('cascade'),
      )
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('health', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('servicediscovery_instances_pk', ['service_id', 'id'])
      .execute();
    await db.schema
      .createTable('servicediscovery_operations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('request_key', 'text', (c) => c.unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('servicediscovery_operations_created')
      .on('servicediscovery_operations')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('servicediscovery_operations_updated')
      .on('servicediscovery_operations')
      .column('updated_at')
      .execute();
    await db.schema
      .createTable('servicediscovery_state')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .execute();
    await sql`insert into servicediscovery_state (id, revision) values (1, 0)`.execute(db);
  },
};
