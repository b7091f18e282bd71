import { sql, type Kysely, type Selectable } from 'kysely';
import type { S3BucketRecord, S3ObjectQuery, S3ObjectRecord, S3Repository } from '../s3-repository.ts';
import type { Database, S3ObjectsTable } from './schema.ts';

export class SqliteS3 implements S3Repository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async createBucket(bucket: S3BucketRecord): Promise<boolean> {
    const result = await this.#db
      .insertInto('s3_buckets')
      .values({ name: bucket.name, region: bucket.region, created_at: bucket.createdAt.getTime() })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getBucket(name: string): Promise<S3BucketRecord | undefined> {
    const row = await this.#db.selectFrom('s3_buckets').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { name: row.name, region: row.region, createdAt: new Date(Number(row.created_at)) };
  }

  async listBuckets(): Promise<S3BucketRecord[]> {
    const rows = await this.#db.selectFrom('s3_buckets').selectAll().orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, region: row.region, createdAt: new Date(Number(row.created_at)) }));
  }

  async deleteBucket(name: string): Promise<'deleted' | 'not-found' | 'not-empty'> {
    return this.#db.transaction().execute(async (trx) => {
      const bucket = await trx.selectFrom('s3_buckets').select('name').where('name', '=', name).executeTakeFirst();
      if (!bucket) return 'not-found';
      const one = await trx
        .selectFrom('s3_objects')
        .select('key')
        .where('bucket', '=', name)
        .limit(1)
        .executeTakeFirst();
      if (one) return 'not-empty';
      await trx.deleteFrom('s3_buckets').where('name', '=', name).execute();
      return 'deleted';
    });
  }

  async getObject(bucket: string, key: string): Promise<S3ObjectRecord | undefined> {
    const row = await this.#db
      .selectFrom('s3_objects')
      .selectAll()
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async putObject(record: S3ObjectRecord): Promise<string | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const previous = await trx
        .selectFrom('s3_objects')
        .select('digest')
        .where('bucket', '=', record.bucket)
        .where('key', '=', record.key)
        .executeTakeFirst();
      const row = toRow(record);
      await trx
        .insertInto('s3_objects')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['bucket', 'key']).doUpdateSet({
            digest: row.digest,
            size: row.size,
            etag: row.etag,
            content_type: row.content_type,
            last_modified: row.last_modified,
            headers: row.headers,
          }),
        )
        .execute();
      return previous?.digest;
    });
  }

  async deleteObject(bucket: string, key: string): Promise<string | undefined> {
    const row = await this.#db
      .deleteFrom('s3_objects')
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .returning('digest')
      .executeTakeFirst();
    return row?.digest;
  }

  async listObjects(bucket: string, query: S3ObjectQuery): Promise<S3ObjectRecord[]> {
    let select = this.#db.selectFrom('s3_objects').selectAll().where('bucket', '=', bucket);
    if (query.prefix !== '') {
      // substr counts characters; the range keeps the primary key index in use.
      select = select
        .where('key', '>=', query.prefix)
        .where(sql<boolean>`substr(key, 1, ${query.prefix.length}) = ${query.prefix}`);
    }
    if (query.after !== undefined) select = select.where('key', '>', query.after);
    const rows = await select.orderBy('key').limit(sql.lit(query.limit)).execute();
    return rows.map(fromRow);
  }

  async isDigestReferenced(digest: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('s3_objects')
      .select('key')
      .where('digest', '=', digest)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toRow(record: S3ObjectRecord): S3ObjectsTable {
  return {
    bucket: record.bucket,
    key: record.key,
    digest: record.digest,
    size: record.size,
    etag: record.etag,
    content_type: record.contentType,
    last_modified: record.lastModified.getTime(),
    headers: JSON.stringify(record.headers),
  };
}

function fromRow(row: Selectable<S3ObjectsTable>): S3ObjectRecord {
  return {
    bucket: row.bucket,
    key: row.key,
    digest: row.digest,
    size: Number(row.size),
    etag: row.etag,
    contentType: row.content_type,
    lastModified: new Date(Number(row.last_modified)),
    headers: JSON.parse(row.headers) as Record<string, string>,
  };
}
