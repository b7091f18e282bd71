import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SecretBox } from '../../shared/secret-box.ts';
import type { CertificateRecord } from '../acm-repository.ts';
import { SqliteStore } from './sqlite-store.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n';

function record(arn: string, createdAt: number): CertificateRecord {
  return {
    arn,
    domainName: 'example.com',
    type: 'IMPORTED',
    keyAlgorithm: 'RSA_2048',
    createdAt,
    certificatePem: 'CERT',
    chainPem: undefined,
    privateKeyPem: KEY,
    body: { tags: [{ Key: 'team', Value: 'web' }] },
  };
}

describe('SqliteAcm', () => {
  it('keeps certificates across a reopen, lists them oldest first, replaces on re-import, deletes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-acm-'));
    const secretBox = SecretBox.ephemeral();
    try {
      const path = join(dir, 'berth.sqlite');
      const store = await SqliteStore.open(path, { secretBox });
      await store.acm.put(record('arn:b', 2));
      await store.acm.put(record('arn:a', 1));
      await store.acm.put({ ...record('arn:b', 5), chainPem: 'CHAIN' }); // re-import keeps its creation date
      await store.close();
      // The key is sealed on disk: its text is not in the database file.
      assert.equal(readFileSync(path).includes('secret-key-material'), false);
      const reopened = await SqliteStore.open(path, { secretBox });
      assert.deepEqual(
        (await reopened.acm.list()).map((r) => [r.arn, r.createdAt, r.chainPem]),
        [
          ['arn:a', 1, undefined],
          ['arn:b', 2, 'CHAIN'],
        ],
      );
      assert.deepEqual(await reopened.acm.get('arn:a'), record('arn:a', 1));
      assert.equal(await reopened.acm.delete('arn:a'), true);
      assert.equal(await reopened.acm.delete('arn:a'), false);
      assert.equal(await reopened.acm.get('arn:a'), undefined);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
