import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FilesystemBlobStore } from '../blobs/filesystem/filesystem-blob-store.ts';
import { systemClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { S3 } from './objects.ts';

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

async function readAll(s3: S3, bucket: string, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await s3.getObject(bucket, key)).read()) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('S3 objects and their blobs', () => {
  let dir: string;
  let store: SqliteStore;
  let blobs: FilesystemBlobStore;
  let s3: S3;
  const put = (key: string, text: string, check: () => void = () => {}) =>
    s3.putObject('bkt', key, { body: bytes(text), contentType: undefined, headers: {}, check });
  const blobCount = async (): Promise<number> => {
    const found: string[] = [];
    for await (const digest of blobs.list()) found.push(digest.hex);
    return found.length;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-s3-'));
    store = await SqliteStore.open(':memory:');
    blobs = new FilesystemBlobStore(dir);
    s3 = new S3({ store, blobs, clock: systemClock, region: 'us-east-1', newId: randomUUID });
    await s3.createBucket('bkt');
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares one blob between identical objects and deletes it with the last one', async () => {
    await put('one', 'same');
    await put('two', 'same');
    assert.equal(await blobCount(), 1);
    await s3.deleteObject('bkt', 'one');
    assert.equal(await blobCount(), 1);
    assert.equal(await readAll(s3, 'bkt', 'two'), 'same');
    await put('two', 'different'); // the overwrite releases the old blob
    assert.equal(await blobCount(), 1);
    await s3.deleteObject('bkt', 'two');
    assert.equal(await blobCount(), 0);
  });

  it('stores nothing when the check refuses the bytes, and keeps the old object', async () => {
    await put('k', 'old');
    await assert.rejects(
      put('k', 'new', () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.equal(await readAll(s3, 'bkt', 'k'), 'old');
    assert.deepEqual(await blobs.listUploads(), []);
    assert.equal(await blobCount(), 1);
    await s3.deleteObject('bkt', 'k');
  });

  it('sweeps the uploads and unreferenced blobs a crash left behind', async () => {
    await put('kept', 'kept');
    await blobs.createUpload('left-over');
    await blobs.appendUpload('left-over', 0, bytes('orphan'));
    await blobs.commitUpload('left-over', { algorithm: 'sha256', hex: 'ab'.repeat(32) });
    await blobs.createUpload('interrupted');
    assert.deepEqual(await s3.sweep(), { uploads: 1, blobs: 1 });
    assert.equal(await readAll(s3, 'bkt', 'kept'), 'kept');
    assert.equal(await blobCount(), 1);
  });
});
