import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { asDataVolumeFull } from '../../shared/storage-full.ts';
import type { BlobReader, BlobStore, Digest } from '../blob-store.ts';
import { blobPath, blobsRoot, uploadPath, uploadsRoot } from '../layout.ts';

/** Writes are gathered into buffers of this size: few syscalls, and memory stays bounded. */
const WRITE_BUFFER_BYTES = 1024 * 1024;
const READ_BUFFER_BYTES = 1024 * 1024;
const SYNC_EVERY_BYTES = 16 * 1024 * 1024;

/** Folders are private to the server's user (files are made 0600). */
const DIR_MODE = 0o700;

/**
 * The default blob store: files under <data dir>/registry (layout in ../layout.ts). A write that
 * fails (a full disk above all) removes what it wrote before it throws, and ENOSPC / EDQUOT leave
 * as DataVolumeFullError.
 */
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

  async modifiedAt(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(blobPath(this.#root, digest))).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async openRead(digest: Digest): Promise<BlobReader> {
    const file = await open(blobPath(this.#root, digest), 'r');
    return {
      read: async (buffer, length, position) => (await file.read(buffer, 0, length, position)).bytesRead,
      close: () => file.close(),
    };
  }

  async createUpload(id: string): Promise<void> {
    const path = uploadPath(this.#root, id);
    try {
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
      await file.close();
    } catch (error) {
      await rm(path, { force: true }).catch(() => undefined);
      throw asDataVolumeFull(error);
    }
  }

  async appendUpload(id: string, offset: number, data: AsyncIterable<Uint8Array>): Promise<number> {
    let file: FileHandle;
    try {
      file = await openForWriting(uploadPath(this.#root, id));
    } catch (error) {
      throw asDataVolumeFull(error);
    }
    try {
      await file.truncate(offset);
      let position = offset;
      let batch: Buffer[] = [];
      let batchBytes = 0;
      // One batch goes to disk while the next one arrives: the network and the disk overlap, and
      // at most two batches (2 MiB) are held per upload.
      let inFlight: Promise<void> = Promise.resolve();
      // The bytes must be on disk before the upload is acknowledged. Flushing them as they come
      // (one fdatasync at a time, in the background) leaves the final sync only the tail to write,
      // instead of the whole layer at once.
      let syncing: Promise<void> = Promise.resolve();
      let syncedUpTo = offset;
      const flush = async (): Promise<void> => {
        await inFlight;
        if (batchBytes === 0) return;
        const buffers = batch;
        const at = position;
        position += batchBytes;
        batch = [];
        batchBytes = 0;
        inFlight = writeFully(file, buffers, at);
        inFlight.catch(() => {}); // awaited before the next batch or at the end; handled there
        if (position - syncedUpTo >= SYNC_EVERY_BYTES) {
          const upTo = position;
          syncing = syncing.then(async () => {
            await inFlight;
            await file.datasync();
            syncedUpTo = upTo;
          });
          syncing.catch(() => {}); // awaited at the end, where a failure is thrown
          syncedUpTo = upTo; // one background sync per SYNC_EVERY_BYTES, not one per batch
        }
      };
      for await (const chunk of data) {
        batch.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        batchBytes += chunk.byteLength;
        if (batchBytes >= WRITE_BUFFER_BYTES) await flush();
      }
      await flush();
      await inFlight;
      await syncing;
      await file.sync();
      return position;
    } catch (error) {
      // Nothing past `offset` was acknowledged: drop it, so a failed write (a full disk, a client
      // gone) leaves no partial bytes taking space.
      await file.truncate(offset).catch(() => undefined);
      throw asDataVolumeFull(error);
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
    try {
      await mkdir(dirname(to), { recursive: true, mode: DIR_MODE });
      // The upload's bytes were fsynced by appendUpload; the rename is atomic, and the directory
      // fsync makes the new name durable.
      await rename(from, to);
      await syncDirectory(dirname(to));
    } catch (error) {
      throw asDataVolumeFull(error);
    }
  }

  async trimUpload(id: string, size: number): Promise<boolean> {
    let file: FileHandle;
    try {
      file = await open(uploadPath(this.#root, id), 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      const { size: stored } = await file.stat();
      if (stored < size) return false;
      if (stored > size) {
        await file.truncate(size);
        await file.sync();
      }
      return true;
    } finally {
      await file.close();
    }
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

  async listUploads(): Promise<string[]> {
    return readdirIfExists(uploadsRoot(this.#root));
  }
}

/** Opens an upload's file for writing, creating it (and its folder) if a crash left none. */
async function openForWriting(path: string): Promise<FileHandle> {
  try {
    return await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
    return open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  }
}

/** writev until every byte is down (a regular file may still take fewer bytes than asked). */
async function writeFully(file: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const total = pending.reduce((sum, b) => sum + b.length, 0);
    const { bytesWritten } = await file.writev(pending, at);
    if (bytesWritten === total) return;
    at += bytesWritten;
    pending = [Buffer.concat(pending, total).subarray(bytesWritten)];
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
