import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { runStoreContract } from '../../../testing/store-contract.ts';
import { migrations } from '../migrations/index.ts';
import { SqliteStore } from './sqlite-store.ts';

runStoreContract('sqlite (memory)', () => SqliteStore.open(':memory:'));

describe('SqliteStore on disk', () => {
  it('keeps what it committed across reopen, in WAL mode with synchronous=FULL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
    try {
      const path = join(dir, 'berth.sqlite');
      const store = await SqliteStore.open(path);
      await store.clusters.insertIfAbsent({
        name: 'kept',
        arn: 'arn:x',
        status: 'ACTIVE',
        createdAt: new Date(0),
        details: {},
      });
      await store.close();
      const reopened = await SqliteStore.open(path); // migrations already applied: a no-op
      assert.equal((await reopened.clusters.getByNames(['kept'])).length, 1);
      await reopened.close();
      const raw = new DatabaseSync(path);
      assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      const applied = raw.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[];
      // Every migration the code defines was applied, in name order.
      assert.deepEqual(
        applied.map((r) => r.name),
        Object.keys(migrations).sort(),
      );
      assert.ok(applied.length >= 7);
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second store on a database another one holds open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
    try {
      const path = join(dir, 'berth.sqlite');
      const owner = await SqliteStore.open(path);
      await assert.rejects(SqliteStore.open(path), /is in use by another process: is another berth server running/);
      await owner.close();
      await (await SqliteStore.open(path)).close(); // free again once the owner has closed
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
