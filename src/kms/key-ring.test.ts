import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { SecretBox } from '../shared/secret-box.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { KeyRing } from './key-ring.ts';

const scope = { region: 'us-east-1', accountId: '123456789012' };

async function aKeyRing(clock = new FakeClock()) {
  const store = await SqliteStore.open(':memory:');
  return { ring: new KeyRing({ store: store.kms, clock, scope }), store, clock };
}

const text = (value: string) => Buffer.from(value, 'utf8');

describe('KeyRing', () => {
  it('encrypts and decrypts without a KeyId: the blob names its key, and the context must match in any order', async () => {
    const { ring } = await aKeyRing();
    const key = await ring.createKey({ description: 'app' });
    const context = { a: '1', b: '2' };
    const { ciphertextBlob, keyArn } = await ring.encrypt(key.keyId, text('hello'), context);
    assert.equal(keyArn, `arn:aws:kms:us-east-1:123456789012:key/${key.keyId}`);
    const opened = await ring.decrypt(ciphertextBlob, { b: '2', a: '1' });
    assert.equal(opened.plaintext.toString(), 'hello');
    assert.equal(opened.keyArn, keyArn);
    await assert.rejects(ring.decrypt(ciphertextBlob, { a: '1' }), { code: 'InvalidCiphertextException' });
    await assert.rejects(ring.decrypt(ciphertextBlob), { code: 'InvalidCiphertextException' });
    const altered = Buffer.from(ciphertextBlob);
    altered[altered.length - 1]! ^= 1;
    await assert.rejects(ring.decrypt(altered, context), { code: 'InvalidCiphertextException' });
    await assert.rejects(ring.decrypt(text('not a blob at all, not at all')), { code: 'InvalidCiphertextException' });
  });

  it('refuses a KeyId other than the blob’s (IncorrectKeyException)', async () => {
    const { ring } = await aKeyRing();
    const one = await ring.createKey({});
    const other = await ring.createKey({});
    const { ciphertextBlob } = await ring.encrypt(one.arn, text('x'));
    await assert.rejects(ring.decrypt(ciphertextBlob, {}, { keyId: other.keyId }), { code: 'IncorrectKeyException' });
    assert.equal((await ring.decrypt(ciphertextBlob, {}, { keyId: one.arn })).plaintext.toString(), 'x');
  });

  it('refuses a disabled key and a key pending deletion in KMS’s words, and forgets the key when its date passes', async () => {
    const { ring, clock } = await aKeyRing();
    const key = await ring.createKey({});
    const { ciphertextBlob } = await ring.encrypt(key.keyId, text('x'));
    await ring.update(key.keyId, (k) => ({ ...k, state: 'Disabled' }));
    await assert.rejects(ring.encrypt(key.keyId, text('x')), {
      code: 'DisabledException',
      message: `${key.arn} is disabled.`,
    });
    await assert.rejects(ring.decrypt(ciphertextBlob), { code: 'DisabledException' });
    await ring.update(key.keyId, (k) => ({
      ...k,
      state: 'PendingDeletion',
      deletionDate: new Date(clock.now().getTime() + 7 * 86_400_000),
    }));
    await assert.rejects(ring.decrypt(ciphertextBlob), {
      code: 'KMSInvalidStateException',
      message: `${key.arn} is pending deletion.`,
    });
    clock.advance(7 * 86_400_000);
    await assert.rejects(ring.find(key.keyId), {
      code: 'NotFoundException',
      message: `Key '${key.arn}' does not exist`,
    });
    await assert.rejects(ring.decrypt(ciphertextBlob), { code: 'InvalidCiphertextException' });
  });

  it('makes an AWS managed key once, on first use, under its alias; other aliases are not found', async () => {
    const { ring, store } = await aKeyRing();
    const [a, b] = await Promise.all([ring.awsManagedKey('aws/ssm'), ring.find('alias/aws/ssm')]);
    assert.equal(a.keyId, b.keyId);
    assert.equal(a.keyManager, 'AWS');
    assert.equal((await ring.find(`arn:aws:kms:us-east-1:123456789012:alias/aws/ssm`)).keyId, a.keyId);
    assert.deepEqual(
      (await store.kms.listAliases()).map((alias) => alias.aliasName),
      ['alias/aws/ssm'],
    );
    const { ciphertextBlob } = await ring.encrypt('alias/aws/ssm', text('p'), { PARAMETER_ARN: 'x' });
    assert.equal((await ring.decrypt(ciphertextBlob, { PARAMETER_ARN: 'x' })).plaintext.toString(), 'p');
    await assert.rejects(ring.find('alias/nope'), {
      code: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.',
    });
    await assert.rejects(ring.find('nope'), { code: 'NotFoundException', message: "Invalid keyId 'nope'" });
  });

  it('generates data keys of the size asked, their copy encrypted under the key', async () => {
    const { ring } = await aKeyRing();
    const key = await ring.createKey({});
    const dataKey = await ring.generateDataKey(key.keyId, 32, { purpose: 'test' });
    assert.equal(dataKey.plaintext.length, 32);
    assert.deepEqual((await ring.decrypt(dataKey.ciphertextBlob, { purpose: 'test' })).plaintext, dataKey.plaintext);
  });

  it('keeps key material sealed in the database file, and opens it again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-kms-'));
    try {
      const secretBox = SecretBox.ephemeral();
      const file = join(dir, 'berth.sqlite');
      const first = await SqliteStore.open(file, { secretBox });
      const ring = new KeyRing({ store: first.kms, clock: new FakeClock(), scope });
      const key = await ring.createKey({});
      const { ciphertextBlob } = await ring.encrypt(key.keyId, text('kept'));
      await first.close();
      const bytes = Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
      assert.equal(bytes.indexOf(Buffer.from(key.material)), -1);
      assert.equal(bytes.indexOf(Buffer.from(key.material).toString('base64')), -1);
      const second = await SqliteStore.open(file, { secretBox });
      const again = new KeyRing({ store: second.kms, clock: new FakeClock(), scope });
      assert.equal((await again.decrypt(ciphertextBlob)).plaintext.toString(), 'kept');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
