import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange, Digest } from '../blob-store.ts';
import { blobPath, blobsRoot, uploadPath, uploadsRoot } from '../layout.ts';

/** Writes are gathered into buffers of this size: few syscalls, and memory stays bounded. */
const WRITE_BUFFER_BYTES = 1024 * 1024;
const READ_BUFFER_BYTES = 1024 * 1024;

/** The default blob store: files under <data dir>/registry (layout in ../layout.ts). */
export class FilesystemBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async stat(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(blobPath(this.#root, digest))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  read(digest: Digest, range?: ByteRange): Readable {
    return createReadStream(blobPath(this.#root, digest), {
      highWaterMark: READ_BUFFER_BYTES,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  async createUpload(id: string): Promise<void> {
    const path = uploadPath(this.#root, id);
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    await file.close();
  }

  async appendUpload(id: string, offset: number, data: AsyncIterable<Uint8Array>): Promise<number> {
    // O_CREAT: a crash between recording an upload and creating its file leaves no file yet.
    const path = uploadPath(this.#root, id);
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      await file.truncate(offset);
      let position = offset;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (): Promise<void> => {
        if (pendingBytes === 0) return;
        const buffer = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        let written = 0;
        while (written < buffer.length) {
          const { bytesWritten } = await file.write(buffer, written, buffer.length - written, position);
          written += bytesWritten;
          position += bytesWritten;
        }
      };
      for await (const chunk of data) {
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= WRITE_BUFFER_BYTES) await flush();
      }
      await flush();
      await file.sync();
      return position;
    } finally {
      await file.close();
    }
  }

  async hashUpload(id: string, algorithm: Digest['algorithm']): Promise<string> {
    const hash = createHash(algorithm);
    for await (const chunk of createReadStream(uploadPath(this.#root, id), { highWaterMark: READ_BUFFER_BYTES })) {
      hash.update(chunk as Buffer);
    }
    return hash.digest('hex');
  }

  async commitUpload(id: string, digest: Digest): Promise<void> {
    const from = uploadPath(this.#root, id);
    const to = blobPath(this.#root, digest);
    if ((await this.stat(digest)) !== undefined) {
      await unlink(from); // same digest, same bytes: keep the blob we have
      return;
    }
    await mkdir(dirname(to), { recursive: true });
    // The upload's bytes were fsynced by appendUpload; the rename is atomic, and the directory
    // fsync makes the new name durable.
    await rename(from, to);
    await syncDirectory(dirname(to));
  }

  async deleteUpload(id: string): Promise<void> {
    await rm(uploadPath(this.#root, id), { force: true });
  }

  async delete(digest: Digest): Promise<void> {
    await rm(blobPath(this.#root, digest), { force: true });
  }

  async *list(): AsyncIterable<Digest> {
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const prefixes = await readdirIfExists(`${blobsRoot(this.#root)}/${algorithm}`);
      for (const prefix of prefixes) {
        for (const hex of await readdirIfExists(`${blobsRoot(this.#root)}/${algorithm}/${prefix}`)) {
          yield { algorithm, hex };
        }
      }
    }
  }

  /** Upload ids with data on disk, to clear those the metadata no longer knows. */
  async listUploads(): Promise<string[]> {
    return readdirIfExists(uploadsRoot(this.#root));
  }
}

async function readdirIfExists(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
