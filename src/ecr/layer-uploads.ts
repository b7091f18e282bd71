import { createHash, type Hash } from 'node:crypto';
import type { BlobStore, Digest } from '../blobs/index.ts';
import type { Clock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import type { MetadataStore, UploadRecord } from '../store/index.ts';
import { formatDigest, parseDigest } from './digests.ts';
import { RegistryError } from './registry-errors.ts';

export interface UploadDeps {
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly newId: () => string;
  /** Blob commits and garbage collection take the digest's lock. */
  readonly digestLocks: KeyedMutex;
  /** The largest layer an upload may grow to (ECR's quota, MAX_LAYER_BYTES, unless a test sets less). */
  readonly maxLayerBytes?: number;
}

/** ECR's quota on one image layer: 52,000 MiB. */
export const MAX_LAYER_BYTES = 52_000 * 1024 * 1024;

/** A running hash over the bytes acknowledged so far, kept while the upload is contiguous. */
interface RunningHash {
  algorithm: Digest['algorithm'];
  hash: Hash;
  size: number;
}

export interface ContentRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/**
 * Blob upload sessions (the registry's POST/PATCH/PUT flow and ECR's layer-part API). Bytes stream
 * to the blob store, never into memory whole; the SHA-256 is computed while they stream. The
 * acknowledged size is in the metadata store, so an upload resumes after a restart (its running
 * hash does not survive: the bytes are hashed again from disk at completion).
 *
 * A failed write keeps only acknowledged bytes (the blob store drops the rest), so a push that ran
 * out of space leaves nothing behind but what its client could still resume. `reclaim` removes
 * uploads left idle past the expiry, and bytes no record or acknowledgement accounts for.
 */
export class LayerUploads {
  readonly #deps: UploadDeps;
  readonly #running = new Map<string, RunningHash>();
  readonly #locks = new KeyedMutex();

  constructor(deps: UploadDeps) {
    this.#deps = deps;
  }

  /**
   * Starts an upload. Its bytes are hashed with `algorithm` as they stream (SHA-256 unless the
   * client named another digest up front, as a monolithic POST ?digest= does).
   */
  async start(repository: string, algorithm: Digest['algorithm'] = 'sha256'): Promise<UploadRecord> {
    const now = this.#deps.clock.now();
    const record: UploadRecord = { id: this.#deps.newId(), repository, size: 0, startedAt: now, updatedAt: now };
    // Under the upload's lock, so reclaim never sees the record before its file exists.
    return this.#locks.run(record.id, async () => {
      // The record first: an upload file without a record is garbage the collector may remove.
      await this.#deps.store.registry.createUpload(record);
      try {
        await this.#deps.blobs.createUpload(record.id);
      } catch (error) {
        await this.#deps.store.registry.deleteUpload(record.id).catch(() => undefined);
        throw error;
      }
      this.#running.set(record.id, { algorithm, hash: createHash(algorithm), size: 0 });
      return record;
    });
  }

  async get(repository: string, id: string): Promise<UploadRecord> {
    const record = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await this.#deps.store.registry.getUpload(id) : undefined;
    if (!record || record.repository !== repository) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { id });
    }
    return record;
  }

  /** Appends a chunk; with a Content-Range it must start where the upload ends. */
  append(repository: string, id: string, data: AsyncIterable<Uint8Array>, range?: ContentRange): Promise<UploadRecord> {
    return this.#locks.run(id, async () => this.#append(await this.get(repository, id), data, range));
  }

  /**
   * Appends the final chunk (if any), checks the digest and commits the blob into the repository.
   * On a digest mismatch nothing is stored: the upload is discarded.
   */
  complete(repository: string, id: string, digestText: string, data?: AsyncIterable<Uint8Array>): Promise<Digest> {
    return this.#locks.run(id, async () => {
      const digest = parseDigest(digestText);
      let record = await this.get(repository, id);
      if (!digest) {
        throw new RegistryError(
          'DIGEST_INVALID',
          `invalid digest '${digestText}': expected sha256:<64 hex> or sha512:<128 hex>`,
        );
      }
      if (data) record = await this.#append(record, data, undefined);
      const running = this.#running.get(id);
      // Without a running hash of the right algorithm (a restart, a broken chunk, or a chunked
      // upload completed with another algorithm), the stored bytes are hashed once more.
      const actual =
        running && running.algorithm === digest.algorithm && running.size === record.size
          ? running.hash.digest('hex')
          : await this.#deps.blobs.hashUpload(id, digest.algorithm);
      this.#running.delete(id);
      if (actual !== digest.hex) {
        await this.#discard(id);
        throw new RegistryError('DIGEST_INVALID', `provided digest ${digestText} did not match uploaded content`, {
          expected: digestText,
          actual: `${digest.algorithm}:${actual}`,
        });
      }
      await this.#deps.digestLocks.run(formatDigest(digest), async () => {
        await this.#deps.blobs.commitUpload(id, digest);
        await this.#deps.store.registry.linkBlob(repository, formatDigest(digest), record.size, this.#deps.clock.now());
        await this.#deps.store.registry.deleteUpload(id);
      });
      return digest;
    });
  }

  cancel(repository: string, id: string): Promise<void> {
    return this.#locks.run(id, async () => {
      await this.get(repository, id);
      await this.#discard(id);
    });
  }

  /**
   * Removes uploads idle since before `idleBefore` (record and bytes), cuts every other upload back
   * to its acknowledged bytes (what a crash during a PATCH left past them), and deletes upload files
   * without a record. Each upload is handled under its lock, so one being written is never touched.
   * Resolves with how many uploads were removed.
   */
  async reclaim(options: { idleBefore: Date }): Promise<number> {
    let removed = 0;
    const uploads = await this.#deps.store.registry.listUploads();
    for (const { id } of uploads) {
      await this.#locks.run(id, async () => {
        const record = await this.#deps.store.registry.getUpload(id);
        if (!record) return;
        if (record.updatedAt < options.idleBefore || !(await this.#deps.blobs.trimUpload(id, record.size))) {
          await this.#discard(id);
          removed += 1;
        }
      });
    }
    // Files without a record: a crash between removing an upload's record and its bytes. (A new
    // upload's record is written before its file, so none of these is being started.)
    const recorded = new Set(uploads.map((u) => u.id));
    for (const id of await this.#deps.blobs.listUploads()) {
      if (recorded.has(id) || (await this.#deps.store.registry.getUpload(id))) continue;
      await this.#deps.blobs.deleteUpload(id);
      removed += 1;
    }
    return removed;
  }

  async #append(
    record: UploadRecord,
    data: AsyncIterable<Uint8Array>,
    range: ContentRange | undefined,
  ): Promise<UploadRecord> {
    if (range && range.start !== record.size) {
      throw new RegistryError(
        'RANGE_INVALID',
        `chunk starts at ${range.start} but the upload has ${record.size} bytes`,
        {
          size: record.size,
        },
      );
    }
    const running = this.#running.get(record.id);
    const current = running && running.size === record.size ? running : undefined;
    const hash = current?.hash;
    if (!current) this.#running.delete(record.id);
    let received = 0;
    const limit = this.#deps.maxLayerBytes ?? MAX_LAYER_BYTES;
    const counted = async function* (): AsyncIterable<Uint8Array> {
      for await (const chunk of data) {
        received += chunk.byteLength;
        if (record.size + received > limit) {
          throw new RegistryError('BLOB_TOO_LARGE', `the layer is larger than the ${limit}-byte limit of one layer`);
        }
        hash?.update(chunk);
        yield chunk;
      }
    };
    let size: number;
    try {
      size = await this.#deps.blobs.appendUpload(record.id, record.size, counted());
    } catch (error) {
      this.#running.delete(record.id); // the hash saw bytes that were not acknowledged
      throw error;
    }
    if (range && received !== range.end - range.start + 1) {
      this.#running.delete(record.id);
      throw new RegistryError(
        'RANGE_INVALID',
        `Content-Range ${range.start}-${range.end} does not match the ${received} bytes sent`,
        {
          size: record.size,
        },
      );
    }
    const updatedAt = this.#deps.clock.now();
    await this.#deps.store.registry.setUploadSize(record.id, size, updatedAt);
    if (current) this.#running.set(record.id, { ...current, size });
    return { ...record, size, updatedAt };
  }

  async #discard(id: string): Promise<void> {
    this.#running.delete(id);
    await this.#deps.store.registry.deleteUpload(id);
    await this.#deps.blobs.deleteUpload(id);
  }
}
