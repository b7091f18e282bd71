import { sql, type Kysely, type Selectable } from 'kysely';
import type { ManifestRecord, ManifestReference, Page, RegistryContent, UploadRecord } from '../store.ts';
import type { Database, ManifestsTable, UploadsTable } from './schema.ts';

export class SqliteRegistry implements RegistryContent {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async linkBlob(repository: string, digest: string, size: number, at: Date): Promise<void> {
    const linkedAt = at.getTime();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('blobs')
        .values({ digest, size, linked_at: linkedAt })
        .onConflict((oc) => oc.column('digest').doUpdateSet({ linked_at: linkedAt }))
        .execute();
      await trx
        .insertInto('repository_blobs')
        .values({ repository, digest, linked_at: linkedAt })
        .onConflict((oc) => oc.columns(['repository', 'digest']).doUpdateSet({ linked_at: linkedAt }))
        .execute();
    });
  }

  async linkedBlobSize(repository: string, digest: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('repository_blobs')
      .innerJoin('blobs', 'blobs.digest', 'repository_blobs.digest')
      .select('blobs.size')
      .where('repository_blobs.repository', '=', repository)
      .where('repository_blobs.digest', '=', digest)
      .executeTakeFirst();
    return row ? Number(row.size) : undefined;
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('repository_blobs')
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async linkedBlobs(repository: string, digests: readonly string[]): Promise<Set<string>> {
    if (digests.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom('repository_blobs')
      .select('digest')
      .where('repository', '=', repository)
      .where('digest', 'in', digests)
      .execute();
    return new Set(rows.map((r) => r.digest));
  }

  async putManifest(
    record: ManifestRecord,
    references: readonly ManifestReference[],
    tag: string | undefined,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('manifests')
        .values({
          repository: record.repository,
          digest: record.digest,
          media_type: record.mediaType,
          artifact_type: record.artifactType ?? null,
          config_media_type: record.configMediaType ?? null,
          subject: record.subject ?? null,
          size: record.size,
          image_size: record.imageSize,
          body: record.body,
          annotations: record.annotations ? JSON.stringify(record.annotations) : null,
          pushed_at: record.pushedAt.getTime(),
          last_pulled_at: null,
          scan_completed_at: record.scanCompletedAt?.getTime() ?? null,
        })
        // The same bytes pushed again: keep the first push time and pull time, as ECR does.
        .onConflict((oc) => oc.columns(['repository', 'digest']).doNothing())
        .execute();
      for (const reference of references) {
        await trx
          .insertInto('manifest_references')
          .values({
            repository: record.repository,
            manifest: record.digest,
            reference: reference.digest,
            kind: reference.kind,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      if (tag !== undefined) {
        await trx
          .insertInto('tags')
          .values({ repository: record.repository, tag, digest: record.digest, updated_at: record.pushedAt.getTime() })
          .onConflict((oc) =>
            oc
              .columns(['repository', 'tag'])
              .doUpdateSet({ digest: record.digest, updated_at: record.pushedAt.getTime() }),
          )
          .execute();
      }
    });
  }

  async getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined> {
    const row = await this.#db
      .selectFrom('manifests')
      .selectAll()
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return row ? manifestFromRow(row) : undefined;
  }

  async manifestSizes(repository: string, digests: readonly string[]): Promise<Map<string, number>> {
    if (digests.length === 0) return new Map();
    const rows = await this.#db
      .selectFrom('manifests')
      .select(['digest', 'image_size'])
      .where('repository', '=', repository)
      .where('digest', 'in', digests)
      .execute();
    return new Map(rows.map((r) => [r.digest, Number(r.image_size)]));
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    // Tags and references go with it (foreign keys cascade).
    const result = await this.#db
      .deleteFrom('manifests')
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async referrers(repository: string, digest: string): Promise<ManifestRecord[]> {
    const rows = await this.#db
      .selectFrom('manifests')
      .selectAll()
      .where('repository', '=', repository)
      .where('subject', '=', digest)
      .orderBy('digest')
      .execute();
    return rows.map(manifestFromRow);
  }

  async recordPull(repository: string, digest: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('manifests')
      .set({ last_pulled_at: at.getTime() })
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .execute();
  }

  async recordScan(repository: string, digest: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('manifests')
      .set({ scan_completed_at: at.getTime() })
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .execute();
  }

  async listManifests(repository: string): Promise<ManifestRecord[]> {
    const rows = await this.#db
      .selectFrom('manifests')
      .selectAll()
      .where('repository', '=', repository)
      .orderBy('pushed_at')
      .orderBy('digest')
      .execute();
    return rows.map(manifestFromRow);
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('tags')
      .select('digest')
      .where('repository', '=', repository)
      .where('tag', '=', tag)
      .executeTakeFirst();
    return row?.digest;
  }

  async listTags(repository: string, page: Page): Promise<string[]> {
    let query = this.#db
      .selectFrom('tags')
      .select('tag')
      .where('repository', '=', repository)
      .orderBy('tag')
      .limit(sql.lit(page.limit));
    if (page.after !== undefined) query = query.where('tag', '>', page.after);
    return (await query.execute()).map((r) => r.tag);
  }

  async tagsOf(repository: string): Promise<Map<string, string[]>> {
    const rows = await this.#db
      .selectFrom('tags')
      .select(['tag', 'digest'])
      .where('repository', '=', repository)
      .orderBy('tag')
      .execute();
    const byDigest = new Map<string, string[]>();
    for (const row of rows) byDigest.set(row.digest, [...(byDigest.get(row.digest) ?? []), row.tag]);
    return byDigest;
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('tags')
      .where('repository', '=', repository)
      .where('tag', '=', tag)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createUpload(record: UploadRecord): Promise<void> {
    await this.#db
      .insertInto('uploads')
      .values({
        id: record.id,
        repository: record.repository,
        size: record.size,
        started_at: record.startedAt.getTime(),
        updated_at: record.updatedAt.getTime(),
      })
      .execute();
  }

  async getUpload(id: string): Promise<UploadRecord | undefined> {
    const row = await this.#db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? uploadFromRow(row) : undefined;
  }

  async setUploadSize(id: string, size: number, at: Date): Promise<void> {
    await this.#db.updateTable('uploads').set({ size, updated_at: at.getTime() }).where('id', '=', id).execute();
  }

  async deleteUpload(id: string): Promise<void> {
    await this.#db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  async listUploads(repository?: string): Promise<UploadRecord[]> {
    let query = this.#db.selectFrom('uploads').selectAll().orderBy('started_at');
    if (repository !== undefined) query = query.where('repository', '=', repository);
    return (await query.execute()).map(uploadFromRow);
  }

  async unreferencedBlobs(linkedBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('blobs')
      .select('digest')
      .where('linked_at', '<', linkedBefore.getTime())
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('manifest_references').select('reference').whereRef('reference', '=', 'blobs.digest'))),
      )
      .orderBy('digest')
      .limit(sql.lit(limit))
      .execute();
    return rows.map((r) => r.digest);
  }

  async deleteBlobIfUnreferenced(digest: string, linkedBefore: Date): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const blob = await trx
        .selectFrom('blobs')
        .select('linked_at')
        .where('digest', '=', digest)
        .where('linked_at', '<', linkedBefore.getTime())
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('manifest_references').select('reference').where('reference', '=', digest))),
        )
        .executeTakeFirst();
      if (!blob) return false;
      await trx.deleteFrom('repository_blobs').where('digest', '=', digest).execute();
      await trx.deleteFrom('blobs').where('digest', '=', digest).execute();
      return true;
    });
  }

  async blobDigests(): Promise<Set<string>> {
    return new Set((await this.#db.selectFrom('blobs').select('digest').execute()).map((r) => r.digest));
  }
}

function manifestFromRow(row: Selectable<ManifestsTable>): ManifestRecord {
  return {
    repository: row.repository,
    digest: row.digest,
    mediaType: row.media_type,
    artifactType: row.artifact_type ?? undefined,
    configMediaType: row.config_media_type ?? undefined,
    subject: row.subject ?? undefined,
    size: Number(row.size),
    imageSize: Number(row.image_size),
    body: row.body,
    annotations: row.annotations ? (JSON.parse(row.annotations) as Record<string, string>) : undefined,
    pushedAt: new Date(Number(row.pushed_at)),
    lastPulledAt: row.last_pulled_at === null ? undefined : new Date(Number(row.last_pulled_at)),
    scanCompletedAt: row.scan_completed_at === null ? undefined : new Date(Number(row.scan_completed_at)),
  };
}

function uploadFromRow(row: Selectable<UploadsTable>): UploadRecord {
  return {
    id: row.id,
    repository: row.repository,
    size: Number(row.size),
    startedAt: new Date(Number(row.started_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
