import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { BlobLocationRepository, BlobServer } from '../../store/index.ts';
import type { BlobReader, BlobStore, Digest } from '../blob-store.ts';
import { BlobsUnavailableError } from '../errors.ts';
import type { FilesystemBlobStore } from '../filesystem/filesystem-blob-store.ts';
import { uploadPath } from '../layout.ts';
import type { PeerClient } from './peer-client.ts';

/** A server that announced itself within this long counts as live. */
export const LIVE_WITHIN_MS = 10_000;

export interface ReplicatedBlobStoreDeps {
  /** This server's own blobs (its data folder). */
  readonly local: FilesystemBlobStore;
  /** The folder `local` keeps its files in (layout.ts), to stream an upload's bytes to a peer. */
  readonly root: string;
  readonly locations: BlobLocationRepository;
  readonly peers: PeerClient;
  /** This server's id in the locations (stable across restarts: kept in the data folder). */
  readonly self: string;
  /** How many servers must hold a blob before its push is acknowledged (BERTH_BLOB_COPIES). */
  readonly copies: number;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * Blobs kept in each server's data folder, for several servers on one PostgreSQL without an object
 * store (docs/multi-server.md). A blob commit is acknowledged once `copies` servers hold it (this
 * one and peers it pushed the verified bytes to, each checking the digest itself); a read on a
 * server lacking the blob fetches it from a holder, checks its digest, keeps it and serves it. An
 * upload's bytes stay on the server that took its last chunk (recorded in the store): a chunk or
 * the completion arriving at another server first copies the acknowledged bytes over from there.
 */
export class ReplicatedBlobStore implements BlobStore {
  readonly #deps: ReplicatedBlobStoreDeps;
  readonly #fetching = new Map<string, Promise<void>>();

  constructor(deps: ReplicatedBlobStoreDeps) {
    this.#deps = deps;
  }

  get self(): string {
    return this.#deps.self;
  }

  async stat(digest: Digest): Promise<number | undefined> {
    const local = await this.#deps.local.stat(digest);
    if (local !== undefined) return local;
    return (await this.#deps.locations.holders(text(digest)))[0]?.size;
  }

  async openRead(digest: Digest): Promise<BlobReader> {
    if ((await this.#deps.local.stat(digest)) === undefined) await this.#fetchOnce(digest);
    return this.#deps.local.openRead(digest);
  }

  async createUpload(id: string): Promise<void> {
    await this.#deps.local.createUpload(id);
    await this.#deps.locations.setUploadHolder(id, this.#deps.self, 0);
  }

  async appendUpload(id: string, offset: number, data: AsyncIterable<Uint8Array>): Promise<number> {
    await this.#localUpload(id, offset);
    const size = await this.#deps.local.appendUpload(id, offset, data);
    await this.#deps.locations.setUploadHolder(id, this.#deps.self, size);
    return size;
  }

  async hashUpload(id: string, algorithm: Digest['algorithm']): Promise<string> {
    await this.#localUpload(id);
    return this.#deps.local.hashUpload(id, algorithm);
  }

  async commitUpload(id: string, digest: Digest): Promise<void> {
    const size = await this.#localUpload(id);
    const holders = await this.#deps.locations.holders(text(digest));
    const held = new Set([...holders.map((h) => h.server), this.#deps.self]);
    if (held.size < this.#deps.copies) {
      // The copies first, from the upload's bytes: if too few servers take it, the upload stays
      // whole and the client's retry of the same PUT can complete it.
      const servers = await this.#deps.locations.servers(LIVE_WITHIN_MS);
      for (const server of shuffled(servers.filter((s) => s.live && !held.has(s.id)))) {
        if (held.size >= this.#deps.copies) break;
        if (await this.#push(server, digest, id, size)) held.add(server.id);
      }
      if (held.size < this.#deps.copies) {
        const live = servers.filter((s) => s.live).length;
        throw new BlobsUnavailableError(
          `the blob reached ${held.size} of the ${this.#deps.copies} servers a push must reach before it is acknowledged (BERTH_BLOB_COPIES); ${live} servers are live: retry once more are up`,
        );
      }
    }
    await this.#deps.local.commitUpload(id, digest);
    await this.#deps.locations.addHolder(text(digest), this.#deps.self, size);
    await this.#deps.locations.removeUploadHolder(id);
  }

  async deleteUpload(id: string): Promise<void> {
    const holder = await this.#deps.locations.uploadHolder(id);
    await this.#deps.local.deleteUpload(id);
    if (holder && holder.server !== this.#deps.self) {
      const server = await this.#server(holder.server);
      if (server) await this.#deps.peers.delete(server.url, `/berth/peer/uploads/${id}`).catch(() => undefined);
    }
    await this.#deps.locations.removeUploadHolder(id);
  }

  async trimUpload(id: string, size: number): Promise<boolean> {
    const holder = await this.#deps.locations.uploadHolder(id);
    // Another server's bytes: its next append cuts them back to the acknowledged size itself.
    if (holder && holder.server !== this.#deps.self) return holder.size >= size;
    // No record: begun before the servers replicated, maybe on another's disk; the idle expiry ends it.
    return (await this.#deps.local.trimUpload(id, size)) || holder === undefined;
  }

  listUploads(): Promise<string[]> {
    return this.#deps.local.listUploads();
  }

  /** Deletes the blob here and on every server recorded as holding it (garbage collection). */
  async delete(digest: Digest): Promise<void> {
    await this.#deps.local.delete(digest);
    const holders = await this.#deps.locations.holders(text(digest));
    const servers = await this.#deps.locations.servers(LIVE_WITHIN_MS);
    for (const holder of holders) {
      if (holder.server === this.#deps.self) continue;
      const server = servers.find((s) => s.id === holder.server);
      if (!server) continue;
      await this.#deps.peers.delete(server.url, `/berth/peer/blobs/${text(digest)}`).catch((error: unknown) => {
        this.#deps.log('a peer did not delete its copy of a blob', {
          digest: text(digest),
          server: server.id,
          error: String(error),
        });
      });
    }
    await this.#deps.locations.removeBlob(text(digest));
  }

  list(): AsyncIterable<Digest> {
    return this.#deps.local.list();
  }

  /** This server's copy's: garbage collection only ever deletes blobs from this server's disk. */
  modifiedAt(digest: Digest): Promise<number | undefined> {
    return this.#deps.local.modifiedAt(digest);
  }

  /**
   * Takes a blob's bytes from a peer (peer-routes.ts): written as an upload, hashed as they come,
   * committed only if the digest matches, then recorded as held here. False on a mismatch.
   */
  async receive(digest: Digest, data: AsyncIterable<Uint8Array>): Promise<boolean> {
    if ((await this.#deps.local.stat(digest)) !== undefined) {
      for await (const chunk of data) void chunk; // same digest, same bytes: keep ours
      return true;
    }
    const temp = `peer-${randomUUID()}`;
    const hash = createHash(digest.algorithm);
    const hashed = async function* (): AsyncIterable<Uint8Array> {
      for await (const chunk of data) {
        hash.update(chunk);
        yield chunk;
      }
    };
    try {
      await this.#deps.local.createUpload(temp);
      const size = await this.#deps.local.appendUpload(temp, 0, hashed());
      if (hash.digest('hex') !== digest.hex) {
        await this.#deps.local.deleteUpload(temp);
        return false;
      }
      await this.#deps.local.commitUpload(temp, digest);
      await this.#deps.locations.addHolder(text(digest), this.#deps.self, size);
      return true;
    } catch (error) {
      await this.#deps.local.deleteUpload(temp).catch(() => undefined);
      throw error;
    }
  }

  /** Deletes this server's copy (a peer's garbage collection asked). */
  async forget(digest: Digest): Promise<void> {
    await this.#deps.local.delete(digest);
    await this.#deps.locations.removeHolder(text(digest), this.#deps.self);
  }

  /**
   * Records every blob on this disk as held here (at start: blobs pushed before the servers
   * replicated, or whose record was lost), so the other servers can fetch them. Resolves with the count.
   */
  async recordLocalBlobs(): Promise<number> {
    let count = 0;
    for await (const digest of this.#deps.local.list()) {
      const size = await this.#deps.local.stat(digest);
      if (size === undefined) continue;
      await this.#deps.locations.addHolder(text(digest), this.#deps.self, size);
      count += 1;
    }
    return count;
  }

  /** Drops an upload's bytes from this server's disk (the server completing it elsewhere asked). */
  deleteUploadBytes(id: string): Promise<void> {
    return this.#deps.local.deleteUpload(id);
  }

  /** The acknowledged size of an upload whose bytes are on this server's disk, or undefined. */
  async localUploadSize(id: string): Promise<number | undefined> {
    const holder = await this.#deps.locations.uploadHolder(id);
    return holder?.server === this.#deps.self ? holder.size : undefined;
  }

  /** Makes the upload's acknowledged bytes (`size`, else the recorded size) local; resolves with the size. */
  async #localUpload(id: string, size?: number): Promise<number> {
    const holder = await this.#deps.locations.uploadHolder(id);
    // No record: an upload begun before the servers replicated, on this disk if anywhere.
    if (!holder) return size ?? (await stat(uploadPath(this.#deps.root, id))).size;
    const wanted = size ?? holder.size;
    if (holder.server === this.#deps.self || wanted === 0) {
      if (holder.server !== this.#deps.self) await this.#deps.local.createUpload(id);
      return wanted;
    }
    const server = await this.#server(holder.server);
    if (!server) throw new BlobsUnavailableError(`the upload's bytes are on server ${holder.server}, which is unknown`);
    try {
      const bytes = await this.#deps.peers.get(server.url, `/berth/peer/uploads/${id}?size=${wanted}`);
      await this.#deps.local.deleteUpload(id);
      await this.#deps.local.createUpload(id);
      const copied = await this.#deps.local.appendUpload(id, 0, bytes);
      if (copied !== wanted) throw new Error(`copied ${copied} of the upload's ${wanted} bytes`);
    } catch (error) {
      await this.#deps.local.deleteUpload(id).catch(() => undefined);
      throw new BlobsUnavailableError(
        `the upload's bytes are on server ${server.id} (${server.url}), which did not give them: ${(error as Error).message}`,
      );
    }
    await this.#deps.locations.setUploadHolder(id, this.#deps.self, wanted);
    return wanted;
  }

  /** One fetch per digest at a time: concurrent readers wait for the same one. */
  #fetchOnce(digest: Digest): Promise<void> {
    const key = text(digest);
    let fetching = this.#fetching.get(key);
    if (!fetching) {
      fetching = this.#fetch(digest).finally(() => this.#fetching.delete(key));
      this.#fetching.set(key, fetching);
    }
    return fetching;
  }

  async #fetch(digest: Digest): Promise<void> {
    const holders = (await this.#deps.locations.holders(text(digest))).filter((h) => h.server !== this.#deps.self);
    const servers = await this.#deps.locations.servers(LIVE_WITHIN_MS);
    const candidates = holders
      .map((h) => servers.find((s) => s.id === h.server))
      .filter((s): s is BlobServer => s !== undefined)
      .sort((a, b) => Number(b.live) - Number(a.live));
    const problems: string[] = [];
    for (const server of candidates) {
      try {
        const bytes = await this.#deps.peers.get(server.url, `/berth/peer/blobs/${text(digest)}`);
        if (await this.receive(digest, bytes)) return;
        problems.push(`${server.id}: the bytes did not match the digest`);
        this.#deps.log('refused a blob from a peer: its bytes do not match the digest', {
          digest: text(digest),
          server: server.id,
        });
      } catch (error) {
        problems.push(`${server.id}: ${(error as Error).message}`);
      }
    }
    throw new BlobsUnavailableError(
      `blob ${text(digest)} is not on this server and no other server gave a copy matching its digest (${problems.join('; ') || 'no server holds it'})`,
    );
  }

  async #push(server: BlobServer, digest: Digest, id: string, size: number): Promise<boolean> {
    try {
      const body = createReadStream(uploadPath(this.#deps.root, id), { start: 0, end: Math.max(0, size - 1) });
      await this.#deps.peers.put(server.url, `/berth/peer/blobs/${text(digest)}`, size === 0 ? emptyBody() : body);
      return true;
    } catch (error) {
      this.#deps.log('a peer did not take a copy of a blob', {
        digest: text(digest),
        server: server.id,
        error: String(error),
      });
      return false;
    }
  }

  async #server(id: string): Promise<BlobServer | undefined> {
    return (await this.#deps.locations.servers(LIVE_WITHIN_MS)).find((s) => s.id === id);
  }
}

function text(digest: Digest): string {
  return `${digest.algorithm}:${digest.hex}`;
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
