import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { BlobReader, BlobStore, Digest } from '../blobs/index.ts';
import type { Clock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { MetadataStore, S3BucketRecord, S3ObjectRecord } from '../store/index.ts';
import { requireValidBucketName, requireValidKey } from './bucket-names.ts';
import { BucketAlreadyOwnedByYou, BucketNotEmpty, EntityTooLarge, NoSuchBucket, NoSuchKey } from './errors.ts';
import {
  commonPrefixOf,
  decodeContinuationToken,
  encodeContinuationToken,
  laterPosition,
  pastEveryKeyUnder,
} from './list-objects.ts';

export interface S3Deps {
  readonly store: MetadataStore;
  /** Object bytes, addressed by their SHA-256 (a blob store of their own, apart from the registry's). */
  readonly blobs: BlobStore & { listUploads?(): Promise<string[]> };
  readonly clock: Clock;
  readonly region: string;
  readonly newId: () => string;
}

/** What was computed over an object's bytes while they were stored. */
export interface ComputedDigests {
  readonly size: number;
  readonly md5: Buffer;
  readonly sha256: Buffer;
  readonly crc32: number;
  readonly sha1: Buffer;
}

export interface PutObjectInput {
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentType: string | undefined;
  /** Stored and returned with the object: x-amz-meta-*, Cache-Control, Content-Disposition... */
  readonly headers: Readonly<Record<string, string>>;
  /** Throws (an S3Error) when what the client claimed does not match; the object is then not stored. */
  readonly check: (computed: ComputedDigests) => void;
}

export interface ListObjectsInput {
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly continuationToken: string | undefined;
  readonly startAfter: string | undefined;
}

export interface ListObjectsOutput {
  readonly contents: readonly S3ObjectRecord[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  readonly nextContinuationToken: string | undefined;
}

/** S3's single PUT limit. */
const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * Buckets and objects. An object's bytes are written to an upload, hashed on the way, checked
 * against what the client claimed, committed under their SHA-256 (atomic rename), and only then
 * named by the object's row: a reader sees the old object or the new one, never a mix. A blob no
 * row names any more is deleted, under a per-digest lock so a concurrent PUT of the same bytes
 * cannot lose them.
 */
export class S3 {
  readonly #deps: S3Deps;
  readonly #digestLocks = new KeyedMutex();

  constructor(deps: S3Deps) {
    this.#deps = deps;
  }

  async createBucket(name: string): Promise<S3BucketRecord> {
    requireValidBucketName(name);
    const record = { name, region: this.#deps.region, createdAt: this.#deps.clock.now() };
    if (!(await this.#deps.store.s3.createBucket(record))) throw new BucketAlreadyOwnedByYou(name);
    return record;
  }

  async headBucket(name: string): Promise<S3BucketRecord> {
    const bucket = await this.#deps.store.s3.getBucket(name);
    if (!bucket) throw new NoSuchBucket(name);
    return bucket;
  }

  listBuckets(): Promise<S3BucketRecord[]> {
    return this.#deps.store.s3.listBuckets();
  }

  async deleteBucket(name: string): Promise<void> {
    const outcome = await this.#deps.store.s3.deleteBucket(name);
    if (outcome === 'not-found') throw new NoSuchBucket(name);
    if (outcome === 'not-empty') throw new BucketNotEmpty(name);
  }

  async putObject(bucket: string, key: string, input: PutObjectInput): Promise<S3ObjectRecord> {
    requireValidKey(key);
    await this.headBucket(bucket);
    const { blobs } = this.#deps;
    const upload = this.#deps.newId();
    await blobs.createUpload(upload);
    let committed = false;
    try {
      const hashing = hashWhileStreaming(input.body);
      const size = await blobs.appendUpload(upload, 0, hashing.stream);
      const computed = hashing.result(size);
      input.check(computed);
      const digest: Digest = { algorithm: 'sha256', hex: computed.sha256.toString('hex') };
      const name = `sha256:${digest.hex}`;
      const record: S3ObjectRecord = {
        bucket,
        key,
        digest: name,
        size,
        etag: computed.md5.toString('hex'),
        contentType: input.contentType ?? DEFAULT_CONTENT_TYPE,
        lastModified: this.#deps.clock.now(),
        headers: input.headers,
      };
      const replaced = await this.#digestLocks.run(name, async () => {
        await blobs.commitUpload(upload, digest);
        committed = true;
        // The bucket may have been deleted meanwhile: the foreign key refuses the row then.
        return this.#deps.store.s3.putObject(record).catch(async (error: unknown) => {
          if (!(await this.#deps.store.s3.getBucket(bucket))) throw new NoSuchBucket(bucket);
          throw error;
        });
      });
      if (replaced !== undefined && replaced !== name) await this.#releaseBlob(replaced);
      return record;
    } finally {
      if (!committed) await blobs.deleteUpload(upload).catch(() => {});
    }
  }

  /**
   * The object's metadata, and its bytes: `open` for positioned reads into the caller's buffers
   * (the caller closes the reader), `read` as a stream of chunks.
   */
  async getObject(
    bucket: string,
    key: string,
  ): Promise<{ record: S3ObjectRecord; open: () => Promise<BlobReader>; read: () => AsyncIterable<Buffer> }> {
    const record = await this.headObject(bucket, key);
    return {
      record,
      open: () => this.#deps.blobs.openRead(parseDigest(record.digest)),
      read: () => this.#readBlob(record),
    };
  }

  async headObject(bucket: string, key: string): Promise<S3ObjectRecord> {
    const record = await this.#deps.store.s3.getObject(bucket, key);
    if (record) return record;
    await this.headBucket(bucket);
    throw new NoSuchKey(key);
  }

  /** Deleting a key that does not exist succeeds, as on S3 (without versioning). */
  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.headBucket(bucket);
    const digest = await this.#deps.store.s3.deleteObject(bucket, key);
    if (digest !== undefined) await this.#releaseBlob(digest);
  }

  async listObjectsV2(bucket: string, input: ListObjectsInput): Promise<ListObjectsOutput> {
    await this.headBucket(bucket);
    const { prefix, delimiter, maxKeys } = input;
    const token = input.continuationToken === undefined ? undefined : decodeContinuationToken(input.continuationToken);
    let after = laterPosition(token, input.startAfter);
    const contents: S3ObjectRecord[] = [];
    const commonPrefixes: string[] = [];
    const full = (): boolean => contents.length + commonPrefixes.length >= maxKeys;
    for (let exhausted = false; !exhausted && !full();) {
      const rows = await this.#deps.store.s3.listObjects(bucket, { prefix, after, limit: 1000 });
      exhausted = rows.length < 1000;
      for (const row of rows) {
        if (full()) break;
        const common = commonPrefixOf(row.key, prefix, delimiter);
        if (common === undefined) {
          contents.push(row);
          after = row.key;
          continue;
        }
        commonPrefixes.push(common);
        // The rest of this batch may be under the same prefix: list again past all of it.
        after = pastEveryKeyUnder(common);
        exhausted = false;
        break;
      }
    }
    const more =
      full() && maxKeys > 0 && (await this.#deps.store.s3.listObjects(bucket, { prefix, after, limit: 1 })).length > 0;
    return {
      contents,
      commonPrefixes,
      isTruncated: more,
      nextContinuationToken: more && after !== undefined ? encodeContinuationToken(after) : undefined,
    };
  }

  /**
   * After a crash: removes uploads (a PUT is one request, so none outlives the process that
   * received it; call this before serving) and blobs no object names (committed just before a
   * crash, before their row). Resolves with how many of each it removed.
   */
  async sweep(): Promise<{ uploads: number; blobs: number }> {
    const { blobs, store } = this.#deps;
    const uploads = (await blobs.listUploads?.()) ?? [];
    for (const id of uploads) await blobs.deleteUpload(id);
    let removed = 0;
    for await (const digest of blobs.list()) {
      const name = `${digest.algorithm}:${digest.hex}`;
      await this.#digestLocks.run(name, async () => {
        if (await store.s3.isDigestReferenced(name)) return;
        await blobs.delete(digest);
        removed += 1;
      });
    }
    return { uploads: uploads.length, blobs: removed };
  }

  async *#readBlob(record: S3ObjectRecord): AsyncIterable<Buffer> {
    const reader = await this.#deps.blobs.openRead(parseDigest(record.digest));
    try {
      for (let position = 0; position < record.size;) {
        const buffer = Buffer.allocUnsafe(Math.min(1024 * 1024, record.size - position));
        const n = await reader.read(buffer, buffer.length, position);
        if (n === 0) break;
        position += n;
        yield buffer.subarray(0, n);
      }
    } finally {
      await reader.close();
    }
  }

  async #releaseBlob(digest: string): Promise<void> {
    await this.#digestLocks.run(digest, async () => {
      if (!(await this.#deps.store.s3.isDigestReferenced(digest))) await this.#deps.blobs.delete(parseDigest(digest));
    });
  }
}

function parseDigest(digest: string): Digest {
  return { algorithm: 'sha256', hex: digest.slice('sha256:'.length) };
}

/** Passes the bytes through while computing every digest a client may have sent. */
function hashWhileStreaming(body: AsyncIterable<Uint8Array>) {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let crc = 0;
  let seen = 0;
  async function* stream(): AsyncIterable<Uint8Array> {
    for await (const chunk of body) {
      seen += chunk.byteLength;
      if (seen > MAX_OBJECT_BYTES) throw new EntityTooLarge();
      md5.update(chunk);
      sha256.update(chunk);
      sha1.update(chunk);
      crc = crc32(chunk, crc);
      yield chunk;
    }
  }
  return {
    stream: stream(),
    result: (size: number): ComputedDigests => ({
      size,
      md5: md5.digest(),
      sha256: sha256.digest(),
      sha1: sha1.digest(),
      crc32: crc,
    }),
  };
}
