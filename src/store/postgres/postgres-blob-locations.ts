import { sql, type Kysely } from 'kysely';
import { postgresNow as NOW } from '../sqlite/sqlite-leases.ts';
import type { BlobHolder, BlobLocationRepository, BlobServer } from '../blob-location-repository.ts';

interface BlobTables {
  blob_servers: { id: string; url: string; announced_at: number | string };
  blob_holders: { digest: string; server: string; size: number | string };
  blob_upload_holders: { upload_id: string; server: string; size: number | string };
}

/** Blob locations on PostgreSQL (several servers share it; migrations/0028-blob-locations.ts). */
export class PostgresBlobLocations implements BlobLocationRepository {
  readonly #db: Kysely<BlobTables>;

  constructor(db: object) {
    this.#db = db as Kysely<BlobTables>; // its tables are not in Database: this migration is its own
  }

  async announce(server: string, url: string): Promise<void> {
    await this.#db
      .insertInto('blob_servers')
      .values({ id: server, url, announced_at: NOW })
      .onConflict((c) => c.column('id').doUpdateSet({ url, announced_at: NOW }))
      .execute();
  }

  async servers(liveWithinMs: number): Promise<BlobServer[]> {
    const rows = await this.#db
      .selectFrom('blob_servers')
      .select(['id', 'url', sql<boolean>`announced_at > ${NOW} - ${liveWithinMs}`.as('live')])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, url: r.url, live: r.live }));
  }

  async addHolder(digest: string, server: string, size: number): Promise<void> {
    await this.#db
      .insertInto('blob_holders')
      .values({ digest, server, size })
      .onConflict((c) => c.columns(['digest', 'server']).doNothing())
      .execute();
  }

  async holders(digest: string): Promise<BlobHolder[]> {
    const rows = await this.#db
      .selectFrom('blob_holders')
      .select(['server', 'size'])
      .where('digest', '=', digest)
      .execute();
    return rows.map((r) => ({ server: r.server, size: Number(r.size) }));
  }

  async removeHolder(digest: string, server: string): Promise<void> {
    await this.#db.deleteFrom('blob_holders').where('digest', '=', digest).where('server', '=', server).execute();
  }

  async removeBlob(digest: string): Promise<void> {
    await this.#db.deleteFrom('blob_holders').where('digest', '=', digest).execute();
  }

  async setUploadHolder(id: string, server: string, size: number): Promise<void> {
    await this.#db
      .insertInto('blob_upload_holders')
      .values({ upload_id: id, server, size })
      .onConflict((c) => c.column('upload_id').doUpdateSet({ server, size }))
      .execute();
  }

  async uploadHolder(id: string): Promise<BlobHolder | undefined> {
    const row = await this.#db
      .selectFrom('blob_upload_holders')
      .select(['server', 'size'])
      .where('upload_id', '=', id)
      .executeTakeFirst();
    return row && { server: row.server, size: Number(row.size) };
  }

  async removeUploadHolder(id: string): Promise<void> {
    await this.#db.deleteFrom('blob_upload_holders').where('upload_id', '=', id).execute();
  }
}
