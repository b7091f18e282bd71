import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FilesystemBlobStore } from '../blobs/filesystem/filesystem-blob-store.ts';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { MAX_LAYER_BYTES } from './layer-uploads.ts';
import { RegistryError } from './registry-errors.ts';
import { Registry } from './registry.ts';

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

describe('layer uploads: the size limit', () => {
  let dir: string;
  let store: SqliteStore;
  let registry: Registry;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-uploads-'));
    store = await SqliteStore.open(':memory:');
    const clock = new FakeClock('2026-03-01T00:00:00Z');
    registry = new Registry({
      store,
      blobs: new FilesystemBlobStore(dir),
      clock,
      newId: randomUUID,
      maxLayerBytes: 10,
    });
    await store.repositories.insertIfAbsent({ name: 'app', arn: 'arn:app', createdAt: clock.now(), details: {} });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is ECR's 52,000 MiB quota by default", () => {
    assert.equal(MAX_LAYER_BYTES, 52_000 * 1024 * 1024);
  });

  it('refuses the chunk that takes a layer past it, and keeps what was acknowledged', async () => {
    const upload = await registry.uploads.start('app');
    // 6 + 4 = 10 bytes: at the limit, accepted.
    await registry.uploads.append('app', upload.id, chunks(Buffer.from('abcdef')));
    await registry.uploads.append('app', upload.id, chunks(Buffer.from('ghij')));
    // 10 + 1 = 11 > 10: refused, in the middle of its stream.
    await assert.rejects(
      registry.uploads.append('app', upload.id, chunks(Buffer.from('k'))),
      (error: unknown) => error instanceof RegistryError && error.code === 'BLOB_TOO_LARGE',
    );
    assert.equal((await registry.uploads.get('app', upload.id)).size, 10);
  });
});
