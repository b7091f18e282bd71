import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SecretBox } from '../shared/secret-box.ts';
import { loadRootCredentials, ROOT_CREDENTIALS_FILE } from './root-credentials.ts';

describe('loadRootCredentials', () => {
  let dir: string;
  const secretBox = SecretBox.ephemeral();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-creds-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const none = { accessKeyId: undefined, secretAccessKey: undefined };

  it('generates a key pair on first start, stored sealed with mode 0600, and reads it back afterwards', () => {
    const first = loadRootCredentials(dir, none, { secretBox });
    assert.equal(first.origin, 'generated');
    assert.match(first.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.secretAccessKey.length, 40);
    const file = join(dir, ROOT_CREDENTIALS_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!readFileSync(file, 'utf8').includes(first.secretAccessKey));
    const second = loadRootCredentials(dir, none, { secretBox });
    assert.equal(second.origin, 'stored');
    assert.equal(second.accessKeyId, first.accessKeyId);
    assert.equal(second.secretAccessKey, first.secretAccessKey);
    assert.throws(() => loadRootCredentials(dir, none, { secretBox: SecretBox.ephemeral() }), /does not open/);
  });

  it('seals the secret of a file written in plain text by an older version', () => {
    const file = join(dir, ROOT_CREDENTIALS_FILE);
    const old = { accessKeyId: 'AKIAOLDFORMAT0000000', secretAccessKey: 'old-plaintext-secret-key-0123456789abcdef' };
    writeFileSync(file, JSON.stringify(old), { mode: 0o600 });
    const loaded = loadRootCredentials(dir, none, { secretBox });
    assert.deepEqual(loaded, { ...old, origin: 'stored' });
    assert.ok(!readFileSync(file, 'utf8').includes(old.secretAccessKey));
    assert.deepEqual(loadRootCredentials(dir, none, { secretBox }), { ...old, origin: 'stored' });
  });

  it('uses configured keys without writing anything', () => {
    const configured = loadRootCredentials(
      dir,
      { accessKeyId: 'AKIACONFIGURED000000', secretAccessKey: 'configured-secret-key' },
      { secretBox },
    );
    assert.equal(configured.origin, 'configured');
    assert.throws(() => statSync(join(dir, ROOT_CREDENTIALS_FILE)), { code: 'ENOENT' });
  });
});
