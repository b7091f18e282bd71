import { sql, type Kysely, type Migration } from 'kysely';

/*
 * S3 (store/s3-repository.ts): buckets, and one row per object naming its content's blob by
 * digest. The (bucket, key) primary key serves ListObjectsV2's ordered prefix scans; keys compare
 * as BINARY (UTF-8 bytes), which is S3's listing order.
 */
export const s3Migration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('s3_buckets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('s3_objects')
      .addColumn('bucket', 'text', (c) => c.notNull().references('s3_buckets.name'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('last_modified', 'bigint', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
      .addPrimaryKeyConstraint('s3_objects_pk', ['bucket', 'key'])
      .execute();
    await db.schema.createIndex('s3_objects_digest').on('s3_objects').column('digest').execute();
  },
};
