import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BlobHolder, BlobLocationRepository, BlobServer } from '../../store/index.ts';
import type { Digest } from '../blob-store.ts';
import { BlobsUnavailableError } from '../errors.ts';
import { FilesystemBlobStore } from '../filesystem/filesystem-blob-store.ts';
import type { PeerClient } from './peer-client.ts';
import { ReplicatedBlobStore } from './replicated-blob-store.ts';

/** The store's blob locations, in memory; every server listed is live unless marked down. */
class MemoryLocations implements BlobLocationRepository {
  readonly serverList: BlobServer[] = [];
  readonly holderRows = new Map<string, BlobHolder[]>();
  readonly uploads = new Map<string, BlobHolder>();
  async announce(server: string, url: string) {
    this.serverList.push({ id: server, url, live: true });
  }
  async servers() {
    return this.serverList;
  }
  async addHolder(digest: string, server: string, size: number) {
    const rows = this.holderRows.get(digest) ?? [];
    if (!rows.some((r) => r.server === server)) rows.push({ server, size });
    this.holderRows.set(digest, rows);
  }
  async holders(digest: string) {
    return this.holderRows.get(digest) ?? [];
  }
  async removeHolder(digest: string, server: string) {
    this.holderRows.set(
      digest,
      (this.holderRows.get(digest) ?? []).filter((r) => r.server !== server),
    );
  }
  async removeBlob(digest: string) {
    this.holderRows.delete(digest);
  }
  async setUploadHolder(id: string, server: string, size: number) {
    this.uploads.set(id, { server, size });
  }
  async uploadHolder(id: string) {
    return this.uploads.get(id);
  }
  async removeUploadHolder(id: string) {
    this.uploads.delete(id);
  }
}

async function* chunks(...parts: Buffer[]): AsyncIterable<Uint8Array> {
  yield* parts;
}

const digestOf = (data: Buffer): Digest => ({
  algorithm: 'sha256',
  hex: createHash('sha256').update(data).digest('hex'),
});

describe('ReplicatedBlobStore', () => {
  let root: string;
  let locations: MemoryLocations;
  /** What the peers took (by URL), and which of them refuse. */
  let pushed: Map<string, Buffer>;
  let refusing: Set<string>;
  const peers = {
    put: async (base: string, _path: string, body: AsyncIterable<Uint8Array>) => {
      const taken: Buffer[] = [];
      for await (const chunk of body) taken.push(Buffer.from(chunk));
      if (refusing.has(base)) throw new Error('connection refused');
      pushed.set(base, Buffer.concat(taken));
    },
    get: async () => chunks(),
    delete: async () => {},
  } as unknown as PeerClient;
  const store = (copies: number) =>
    new ReplicatedBlobStore({
      local: new FilesystemBlobStore(root),
      root,
      locations,
      peers,
      self: 'a',
      copies,
      log: () => {},
    });

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'berth-replicated-'));
    locations = new MemoryLocations();
    pushed = new Map();
    refusing = new Set();
    await locations.announce('a', 'http://a');
    await locations.announce('b', 'http://b');
    await locations.announce('c', 'http://c');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('commits once the blob is on `copies` servers: here and one peer that took the bytes', async () => {
    const blobs = store(2);
    const data = randomBytes(5000);
    await blobs.createUpload('u1');
    assert.equal(await blobs.appendUpload('u1', 0, chunks(data)), data.length);
    await blobs.commitUpload('u1', digestOf(data));
    assert.equal(pushed.size, 1);
    assert.deepEqual([...pushed.values()][0], data);
    assert.equal(await blobs.stat(digestOf(data)), data.length);
    assert.deepEqual(
      (await locations.holders(`sha256:${digestOf(data).hex}`)).map((h) => h.server),
      ['a'],
      'the peer records itself when it stores the copy (not faked here)',
    );
    assert.equal(await locations.uploadHolder('u1'), undefined);
  });

  it('refuses a commit that reaches too few servers, keeping the upload for a retry', async () => {
    const blobs = store(3);
    refusing.add('http://c');
    const data = randomBytes(3000);
    await blobs.createUpload('u2');
    await blobs.appendUpload('u2', 0, chunks(data));
    await assert.rejects(blobs.commitUpload('u2', digestOf(data)), (error: unknown) => {
      return error instanceof BlobsUnavailableError && /reached 2 of the 3 servers/.test(error.message);
    });
    assert.equal(await new FilesystemBlobStore(root).stat(digestOf(data)), undefined, 'not committed here');
    assert.equal(await blobs.hashUpload('u2', 'sha256'), digestOf(data).hex, 'the upload is whole');
    refusing.clear();
    await blobs.commitUpload('u2', digestOf(data));
    assert.equal(await blobs.stat(digestOf(data)), data.length);
  });

  it('commits at once when enough servers hold the blob already', async () => {
    const blobs = store(2);
    const data = randomBytes(100);
    await locations.addHolder(`sha256:${digestOf(data).hex}`, 'b', data.length);
    await blobs.createUpload('u3');
    await blobs.appendUpload('u3', 0, chunks(data));
    await blobs.commitUpload('u3', digestOf(data));
    assert.equal(pushed.size, 0);
  });

  it("answers trims of another server's upload from the recorded size", async () => {
    const blobs = store(2);
    await locations.setUploadHolder('u4', 'b', 10);
    assert.equal(await blobs.trimUpload('u4', 10), true);
    assert.equal(await blobs.trimUpload('u4', 11), false);
  });

  it('records the blobs already on its disk as held here', async () => {
    const local = new FilesystemBlobStore(root);
    const data = randomBytes(64);
    await local.createUpload('old');
    await local.appendUpload('old', 0, chunks(data));
    await local.commitUpload('old', digestOf(data));
    assert.equal(await store(2).recordLocalBlobs(), 1);
    assert.deepEqual(await locations.holders(`sha256:${digestOf(data).hex}`), [{ server: 'a', size: 64 }]);
  });
});
