import type { Kysely, Migration } from 'kysely';

/*
 * Blob locations (store/blob-location-repository.ts): for several servers keeping registry blobs in
 * their own data folders, the servers and their URLs, which servers hold each blob, and which server
 * holds each upload's bytes. Times are epoch milliseconds of the database's clock.
 */
export const blobLocationsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('blob_servers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('announced_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('blob_holders')
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('server', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('blob_holders_pk', ['digest', 'server'])
      .execute();
    await db.schema
      .createTable('blob_upload_holders')
      .addColumn('upload_id', 'text', (c) => c.primaryKey())
      .addColumn('server', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .execute();
  },
};
