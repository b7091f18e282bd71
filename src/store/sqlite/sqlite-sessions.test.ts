import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SecretBox } from '../../shared/secret-box.ts';
import { SqliteStore } from './sqlite-store.ts';

const SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const record = (accessKeyId: string, expiresAt: string) => ({
  accessKeyId,
  secretAccessKey: SECRET,
  tokenHash: 'ab'.repeat(32),
  sourceAccessKeyId: 'AKIAEXAMPLE',
  createdAt: new Date('2026-03-01T00:00:00Z'),
  expiresAt: new Date(expiresAt),
  body: { kind: 'assumed-role' },
});

describe('SqliteSessions', () => {
  it('seals the secrets, lists sessions back, and deletes the expired ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sessions-'));
    try {
      const secretBox = SecretBox.ephemeral();
      const store = await SqliteStore.open(join(dir, 'berth.sqlite'), { secretBox });
      await store.sessions.insert(record('ASIAOLD0000000000000', '2026-03-01T01:00:00Z'));
      await store.sessions.insert(record('ASIANEW0000000000000', '2026-03-01T12:00:00Z'));
      const bytes = () => Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
      assert.equal(bytes().indexOf(SECRET), -1);
      assert.deepEqual(
        (await store.sessions.list()).map((s) => [s.accessKeyId, s.secretAccessKey]),
        [
          ['ASIAOLD0000000000000', SECRET],
          ['ASIANEW0000000000000', SECRET],
        ],
      );
      assert.equal(await store.sessions.deleteExpiredBefore(new Date('2026-03-01T06:00:00Z')), 1);
      assert.deepEqual(
        (await store.sessions.list()).map((s) => s.accessKeyId),
        ['ASIANEW0000000000000'],
      );
      await store.close();
      const elsewhere = await SqliteStore.open(join(dir, 'berth.sqlite'), { secretBox: SecretBox.ephemeral() });
      await assert.rejects(elsewhere.sessions.list(), /does not open with the data folder's master key/);
      await elsewhere.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
