import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobReader, BlobStore, Digest } from '../blob-store.ts';
import { BlobsUnavailableError } from '../errors.ts';
import { S3Client, type ListedObject, type S3Location } from './s3-client.ts';
import { S3BlobReader } from './s3-blob-reader.ts';

/** One PutObject carries 5 GiB at most (S3's limit); larger blobs would need a multipart upload. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** How long a presigned blob URL lasts (ECR's layer URLs: an hour). */
const PRESIGN_SECONDS = 3600;

export interface S3BlobStoreOptions extends S3Location {
  /** The key prefix (s3://bucket/<prefix>), without a trailing slash; '' for the bucket's root. */
  readonly prefix: string;
  /** A local folder where a chunk is spooled until its length is known (PutObject needs it). */
  readonly spoolDir: string;
}

/*
 * The layout in the bucket:
 *
 *   <prefix>/blobs/<algorithm>/<hex>                      committed blobs, immutable
 *   <prefix>/uploads/<upload id>/<offset, 16 digits>      one object per chunk of an upload in progress
 *
 * An upload's state is the metadata store's record (its acknowledged size) and its chunk objects in
 * the bucket: any server sharing both continues it. A blob appears only by one PutObject of the
 * upload's verified bytes, so a blob key holds the whole content or nothing.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #prefix: string;
  readonly #spoolDir: string;

  constructor(options: S3BlobStoreOptions) {
    this.#client = new S3Client(options);
    this.#prefix = options.prefix === '' ? '' : `${options.prefix}/`;
    this.#spoolDir = options.spoolDir;
  }

  #blobKey(digest: Digest): string {
    return `${this.#prefix}blobs/${digest.algorithm}/${digest.hex}`;
  }

  #uploadPrefix(id: string): string {
    if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`invalid upload id ${id}`);
    return `${this.#prefix}uploads/${id}/`;
  }

  async stat(digest: Digest): Promise<number | undefined> {
    return this.#client.size(this.#blobKey(digest));
  }

  modifiedAt(digest: Digest): Promise<number | undefined> {
    return this.#client.lastModified(this.#blobKey(digest));
  }

  async openRead(digest: Digest): Promise<BlobReader> {
    const key = this.#blobKey(digest);
    if ((await this.#client.size(key)) === undefined)
      throw Object.assign(new Error(`no blob ${key}`), { code: 'ENOENT' });
    return new S3BlobReader(this.#client, key);
  }

  /** A presigned GetObject URL: registry blob GETs answer 307 to it, as ECR's do. */
  redirectUrl(digest: Digest): Promise<string> {
    return this.#client.presignGet(this.#blobKey(digest), PRESIGN_SECONDS);
  }

  async createUpload(id: string): Promise<void> {
    this.#uploadPrefix(id); // no object until bytes come: an empty upload holds nothing
  }

  async appendUpload(id: string, offset: number, data: AsyncIterable<Uint8Array>): Promise<number> {
    const parts = await this.#parts(id);
    for (const part of parts) {
      if (part.start >= offset)
        await this.#client.delete(part.key); // bytes never acknowledged
      else if (part.start + part.size > offset) throw new Error(`upload ${id}: a chunk crosses offset ${offset}`);
    }
    // PutObject needs the length up front: the chunk is spooled to a local file first.
    await mkdir(this.#spoolDir, { recursive: true, mode: 0o700 });
    const spool = join(this.#spoolDir, `${id}-${randomUUID()}`);
    try {
      await pipeline(Readable.from(data), createWriteStream(spool, { mode: 0o600 }));
      const { size } = await stat(spool);
      if (size === 0) return offset;
      const key = `${this.#uploadPrefix(id)}${String(offset).padStart(16, '0')}`;
      await this.#unavailableIfDown(() => this.#client.put(key, createReadStream(spool), size));
      return offset + size;
    } finally {
      await rm(spool, { force: true });
    }
  }

  async hashUpload(id: string, algorithm: Digest['algorithm']): Promise<string> {
    const hash = createHash(algorithm);
    for await (const chunk of this.#concatenated(await this.#contiguous(id))) hash.update(chunk);
    return hash.digest('hex');
  }

  async commitUpload(id: string, digest: Digest): Promise<void> {
    const parts = await this.#contiguous(id);
    if ((await this.stat(digest)) === undefined) {
      const size = parts.reduce((sum, p) => sum + p.size, 0);
      if (size > MAX_SINGLE_PUT_BYTES) {
        throw new BlobsUnavailableError(
          `the S3 blob store writes a blob with one PutObject, ${MAX_SINGLE_PUT_BYTES} bytes at most (S3's limit); this one has ${size} (multipart uploads are not built)`,
        );
      }
      const body = Readable.from(this.#concatenated(parts));
      await this.#unavailableIfDown(() => this.#client.put(this.#blobKey(digest), body, size));
    }
    for (const part of parts) await this.#client.delete(part.key);
  }

  async deleteUpload(id: string): Promise<void> {
    for (const part of await this.#parts(id)) await this.#client.delete(part.key);
  }

  async trimUpload(id: string, size: number): Promise<boolean> {
    let covered = 0;
    for (const part of await this.#parts(id)) {
      if (part.start >= size) await this.#client.delete(part.key);
      else if (part.start !== covered || part.start + part.size > size) return false;
      else covered += part.size;
    }
    return covered === size;
  }

  async listUploads(): Promise<string[]> {
    const ids = new Set<string>();
    for await (const object of this.#client.list(`${this.#prefix}uploads/`)) {
      ids.add(object.key.slice(`${this.#prefix}uploads/`.length).split('/')[0]!);
    }
    return [...ids];
  }

  async delete(digest: Digest): Promise<void> {
    await this.#client.delete(this.#blobKey(digest));
  }

  async *list(): AsyncIterable<Digest> {
    for (const algorithm of ['sha256', 'sha512'] as const) {
      for await (const object of this.#client.list(`${this.#prefix}blobs/${algorithm}/`)) {
        const hex = object.key.split('/').at(-1)!;
        if (/^[0-9a-f]+$/.test(hex)) yield { algorithm, hex };
      }
    }
  }

  async #parts(id: string): Promise<Array<ListedObject & { start: number }>> {
    const prefix = this.#uploadPrefix(id);
    const parts: Array<ListedObject & { start: number }> = [];
    for await (const object of this.#client.list(prefix)) {
      const start = Number(object.key.slice(prefix.length));
      if (Number.isSafeInteger(start)) parts.push({ ...object, start });
    }
    return parts.sort((a, b) => a.start - b.start);
  }

  /** The upload's chunks, which must follow each other from offset 0. */
  async #contiguous(id: string): Promise<Array<ListedObject & { start: number }>> {
    const parts = await this.#parts(id);
    let at = 0;
    for (const part of parts) {
      if (part.start !== at) throw new Error(`upload ${id}: bytes missing at offset ${at}`);
      at += part.size;
    }
    return parts;
  }

  async *#concatenated(parts: ListedObject[]): AsyncIterable<Buffer> {
    for (const part of parts) {
      if (part.size === 0) continue;
      const body = await this.#client.get(part.key);
      if (!body) throw new Error(`upload chunk ${part.key} vanished`);
      yield* body as AsyncIterable<Buffer>;
    }
  }

  async #unavailableIfDown<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
        throw new BlobsUnavailableError(`the S3 blob store does not answer: ${(error as Error).message}`);
      }
      throw error;
    }
  }
}
