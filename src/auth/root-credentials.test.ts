import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadRootCredentials, ROOT_CREDENTIALS_FILE } from './root-credentials.ts';

describe('loadRootCredentials', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-creds-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const none = { accessKeyId: undefined, secretAccessKey: undefined };

  it('generates a key pair on first start, stored with mode 0600, and reads it back afterwards', () => {
    const first = loadRootCredentials(dir, none);
    assert.equal(first.origin, 'generated');
    assert.match(first.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.secretAccessKey.length, 40);
    assert.equal(statSync(join(dir, ROOT_CREDENTIALS_FILE)).mode & 0o777, 0o600);
    const second = loadRootCredentials(dir, none);
    assert.equal(second.origin, 'stored');
    assert.equal(second.accessKeyId, first.accessKeyId);
    assert.equal(second.secretAccessKey, first.secretAccessKey);
  });

  it('uses configured keys without writing anything', () => {
    const configured = loadRootCredentials(dir, {
      accessKeyId: 'AKIACONFIGURED000000',
      secretAccessKey: 'configured-secret-key',
    });
    assert.equal(configured.origin, 'configured');
    assert.throws(() => statSync(join(dir, ROOT_CREDENTIALS_FILE)), { code: 'ENOENT' });
  });
});
