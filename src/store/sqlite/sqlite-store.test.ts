import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runStoreConcurrencyContract } from '../../../testing/store-concurrency-contract.ts';
import { runStoreContract } from '../../../testing/store-contract.ts';
import { migrations } from '../migrations/index.ts';
import { SecretBox } from '../../shared/secret-box.ts';
import { SqliteStore } from './sqlite-store.ts';

runStoreContract('sqlite (memory)', () => SqliteStore.open(':memory:'));
runStoreConcurrencyContract('sqlite (memory)', () => SqliteStore.open(':memory:'));

describe('SqliteStore on disk', () => {
  const secretBox = SecretBox.ephemeral();
  it('keeps what it committed across reopen, in WAL mode with synchronous=FULL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
    try {
      const path = join(dir, 'berth.sqlite');
      const store = await SqliteStore.open(path, { secretBox });
      await store.clusters.insertIfAbsent({
        name: 'kept',
        arn: 'arn:x',
        status: 'ACTIVE',
        createdAt: new Date(0),
        details: {},
      });
      await store.close();
      const reopened = await SqliteStore.open(path, { secretBox }); // migrations already applied: a no-op
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
      const owner = await SqliteStore.open(path, { secretBox });
      await assert.rejects(
        SqliteStore.open(path, { secretBox }),
        /is in use by another process: is another berth server running/,
      );
      await owner.close();
      await (await SqliteStore.open(path, { secretBox })).close(); // free again once the owner has closed
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a secret box for a database on disk', async () => {
    await assert.rejects(SqliteStore.open(join(tmpdir(), 'never.sqlite')), /needs a secret box/);
  });
});

describe('SqliteStore secrets at rest', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const user = {
    kind: 'user' as const,
    name: 'alice',
    arn: 'arn:aws:iam::000000000000:user/alice',
    id: 'AIDAX',
    path: '/',
    createdAt: new Date(0),
    body: {},
  };
  const key = {
    accessKeyId: 'AKIAALICE00000000000',
    userName: 'alice',
    secretAccessKey: SECRET,
    status: 'Active' as const,
    createdAt: new Date(0),
  };
  let dir: string;
  let path: string;
  const secretBox = SecretBox.ephemeral();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-secrets-'));
    path = join(dir, 'berth.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Every byte SQLite keeps on disk for the database: the file and its WAL, as a copy would take them. */
  function bytesOnDisk(): Buffer {
    return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
  }

  it('keeps no secret access key in plain text in the database file or its WAL, and opens them back', async () => {
    const store = await SqliteStore.open(path, { secretBox });
    await store.iam.write({ put: [user], putKeys: [key] });
    assert.ok(readdirSync(dir).includes('berth.sqlite-wal'));
    assert.equal(bytesOnDisk().indexOf(SECRET), -1); // while open
    for (const name of readdirSync(dir)) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
    await store.close();
    assert.equal(bytesOnDisk().indexOf(SECRET), -1); // after the close's checkpoint
    const reopened = await SqliteStore.open(path, { secretBox });
    assert.equal((await reopened.iam.load()).accessKeys[0]?.secretAccessKey, SECRET);
    await reopened.close();
    // With another key, the copy is useless, and says why.
    const elsewhere = await SqliteStore.open(path, { secretBox: SecretBox.ephemeral() });
    await assert.rejects(elsewhere.iam.load(), /does not open with the data folder's master key/);
    await elsewhere.close();
  });

  it('seals the plaintext secrets an older version stored, once, leaving no copy of them on disk', async () => {
    await (await SqliteStore.open(path, { secretBox })).close();
    const raw = new DatabaseSync(path);
    raw.exec("INSERT INTO iam_users (name, arn, user_id, created_at) VALUES ('alice', 'arn:alice', 'AIDAX', 0)");
    raw
      .prepare(
        'INSERT INTO access_keys (access_key_id, user_name, secret_access_key, status, created_at) VALUES (?, ?, ?, ?, 0)',
      )
      .run(key.accessKeyId, 'alice', SECRET, 'Active');
    raw.close();
    assert.notEqual(bytesOnDisk().indexOf(SECRET), -1); // the old format: there for anyone who reads the file

    const migrated = await SqliteStore.open(path, { secretBox });
    assert.equal(bytesOnDisk().indexOf(SECRET), -1); // sealed at open, nothing left in free space or the WAL
    assert.equal((await migrated.iam.load()).accessKeys[0]?.secretAccessKey, SECRET);
    await migrated.close();
    const stored = () => {
      const db = new DatabaseSync(path);
      const row = db.prepare('SELECT secret_access_key FROM access_keys').get() as { secret_access_key: string };
      db.close();
      return row.secret_access_key;
    };
    const sealed = stored();
    assert.match(sealed, /^v1:/);
    await (await SqliteStore.open(path, { secretBox })).close();
    assert.equal(stored(), sealed); // idempotent: sealed rows are left alone
  });
});
