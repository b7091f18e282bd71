import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sha256 } from '../../testing/registry-client.ts';
import { FilesystemBlobStore } from '../blobs/filesystem/filesystem-blob-store.ts';
import { blobPath, uploadPath } from '../blobs/layout.ts';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { parseDigest } from './digests.ts';
import { collectGarbage, type GarbageCollectionOptions } from './garbage-collection.ts';
import { RegistryError } from './registry-errors.ts';
import { Registry } from './registry.ts';

const HOUR = 60 * 60 * 1000;
const options: GarbageCollectionOptions = { blobGraceMs: HOUR, uploadIdleMs: 24 * HOUR };

async function* chunks(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

describe('registry garbage collection', () => {
  let dir: string;
  let store: SqliteStore;
  let blobs: FilesystemBlobStore;
  let clock: FakeClock;
  let registry: Registry;
  const gc = (overrides: Partial<GarbageCollectionOptions> = {}) =>
    collectGarbage(
      { store, blobs, clock, digestLocks: registry.digestLocks, uploads: registry.uploads },
      { ...options, ...overrides },
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-gc-'));
    store = await SqliteStore.open(':memory:');
    blobs = new FilesystemBlobStore(dir);
    clock = new FakeClock('2026-03-01T00:00:00Z');
    registry = new Registry({ store, blobs, clock, newId: randomUUID });
    await store.repositories.insertIfAbsent({ name: 'app', arn: 'arn:app', createdAt: clock.now(), details: {} });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pushBlob(data: Uint8Array | string): Promise<string> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const upload = await registry.uploads.start('app');
    const digest = await registry.uploads.complete('app', upload.id, sha256(bytes), chunks(bytes));
    return `${digest.algorithm}:${digest.hex}`;
  }

  async function pushImage(tag: string): Promise<{ manifest: string; layer: string; config: string }> {
    const layer = await pushBlob(randomBytes(64));
    const config = await pushBlob(JSON.stringify({ tag }));
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1 },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 64 }],
      }),
    );
    const record = await registry.putManifest('app', tag, 'application/vnd.oci.image.manifest.v1+json', body);
    return { manifest: record.digest, layer, config };
  }

  const onDisk = (digest: string) => existsSync(blobPath(dir, parseDigest(digest)!));

  it('keeps referenced blobs and blobs within the grace period, deletes the rest', async () => {
    const kept = await pushImage('v1');
    const dropped = await pushImage('v2');
    await registry.deleteManifest('app', dropped.manifest);
    const fresh = await pushBlob('just pushed, manifest on its way');
    clock.advance(30 * 60 * 1000); // 30 min: everything is still within the 1 h grace
    assert.deepEqual(await gc(), { blobsDeleted: 0, uploadsDeleted: 0 });
    clock.advance(31 * 60 * 1000); // 61 min
    assert.deepEqual(await gc(), { blobsDeleted: 3, uploadsDeleted: 0 }); // v2's layer and config, and `fresh`
    for (const digest of [kept.layer, kept.config]) assert.ok(onDisk(digest), 'a referenced blob was collected');
    for (const digest of [dropped.layer, dropped.config, fresh]) {
      assert.ok(!onDisk(digest));
      assert.equal(await store.registry.linkedBlobSize('app', digest), undefined);
    }
  });

  it('leaves uploads in flight alone and removes abandoned ones and stray files', async () => {
    const active = await registry.uploads.start('app');
    await registry.uploads.append('app', active.id, chunks(randomBytes(10)));
    const abandoned = await registry.uploads.start('app');
    clock.advance(23 * HOUR);
    await registry.uploads.append('app', active.id, chunks(randomBytes(10))); // still being written
    clock.advance(2 * HOUR); // `abandoned` idle for 25 h, `active` for 2 h
    const stray = randomUUID();
    writeFileSync(uploadPath(dir, stray), 'left by a crash');
    assert.deepEqual(await gc(), { blobsDeleted: 0, uploadsDeleted: 2 });
    assert.equal((await registry.uploads.get('app', active.id)).size, 20);
    await assert.rejects(registry.uploads.get('app', abandoned.id), { code: 'BLOB_UPLOAD_UNKNOWN' });
    assert.ok(!existsSync(uploadPath(dir, stray)));
  });

  it('cuts uploads back to their acknowledged bytes, and removes those whose bytes were lost', async () => {
    const interrupted = await registry.uploads.start('app');
    await registry.uploads.append('app', interrupted.id, chunks(randomBytes(10)));
    appendFileSync(uploadPath(dir, interrupted.id), randomBytes(1000)); // a PATCH cut short by a crash
    const lost = await registry.uploads.start('app');
    await registry.uploads.append('app', lost.id, chunks(randomBytes(10)));
    rmSync(uploadPath(dir, lost.id));
    assert.deepEqual(await gc(), { blobsDeleted: 0, uploadsDeleted: 1 });
    assert.equal(statSync(uploadPath(dir, interrupted.id)).size, 10); // 1010 - 1000 never acknowledged
    assert.equal((await registry.uploads.get('app', interrupted.id)).size, 10);
    await assert.rejects(registry.uploads.get('app', lost.id), { code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  it('takes the configured expiry, and waits for an upload being written instead of removing it', async () => {
    const idle = await registry.uploads.start('app');
    const writing = await registry.uploads.start('app');
    clock.advance(61_000); // both idle for 61 s, over the 60 s expiry
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = async function* (): AsyncIterable<Uint8Array> {
      yield randomBytes(5);
      await held;
      yield randomBytes(5);
    };
    const appended = registry.uploads.append('app', writing.id, slow());
    const collected = gc({ uploadIdleMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the collector is waiting for the lock
    release();
    await appended; // acknowledged now: no longer idle when the collector looks at it
    assert.deepEqual(await collected, { blobsDeleted: 0, uploadsDeleted: 1 });
    await assert.rejects(registry.uploads.get('app', idle.id), { code: 'BLOB_UPLOAD_UNKNOWN' });
    assert.equal((await registry.uploads.get('app', writing.id)).size, 10);
  });

  it('removes blob files the store lost track of, once older than the grace period', async () => {
    const digest = parseDigest(sha256('orphan'))!;
    await blobs.createUpload('orphan-upload');
    await blobs.appendUpload('orphan-upload', 0, chunks(Buffer.from('orphan')));
    await blobs.commitUpload('orphan-upload', digest); // a crash right after the rename: no record
    // Written just now by the clock's measure: a commit on another server may be about to record it.
    const written = new Date(clock.now().getTime() - 30 * 60_000);
    utimesSync(blobPath(dir, digest), written, written);
    assert.deepEqual(await gc(), { blobsDeleted: 0, uploadsDeleted: 0 });
    assert.equal(await blobs.stat(digest), 6);
    const old = new Date(clock.now().getTime() - 2 * HOUR);
    utimesSync(blobPath(dir, digest), old, old);
    assert.deepEqual(await gc(), { blobsDeleted: 1, uploadsDeleted: 0 });
    assert.equal(await blobs.stat(digest), undefined);
  });

  it('never leaves a manifest pointing at a collected blob when a push races the collector', async () => {
    // An old, unreferenced blob that a new manifest wants again (docker saw it with HEAD and did
    // not upload it): the collector and the push race, 50 times. Either may win, but a manifest
    // that was stored must have its blobs.
    for (let round = 0; round < 50; round++) {
      const layer = await pushBlob(randomBytes(32));
      const config = await pushBlob(JSON.stringify({ round }));
      clock.advance(2 * HOUR);
      const body = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1 },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 32 }],
        }),
      );
      const [, pushed] = await Promise.all([
        gc(),
        registry.putManifest('app', `r${round}`, undefined, body).then(
          () => true,
          (error: unknown) => {
            assert.ok(error instanceof RegistryError && error.code === 'MANIFEST_BLOB_UNKNOWN', String(error));
            return false;
          },
        ),
      ]);
      if (pushed) {
        for (const digest of [layer, config]) {
          assert.ok(onDisk(digest), `round ${round}: manifest stored but ${digest} collected`);
          assert.notEqual(await store.registry.linkedBlobSize('app', digest), undefined);
        }
      }
    }
  });
});
