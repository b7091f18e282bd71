import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSealed, SecretBox, SecretBoxError } from './secret-box.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('SecretBox', () => {
  const box = SecretBox.ephemeral();

  it('opens what it sealed, and the sealed text shows nothing of the secret', () => {
    const sealed = box.seal(SECRET, 'AKIAEXAMPLE');
    assert.ok(isSealed(sealed));
    assert.match(sealed, /^v1:[A-Za-z0-9+/]+=*$/);
    assert.ok(!sealed.includes(SECRET));
    assert.ok(!Buffer.from(sealed.slice(3), 'base64').includes(Buffer.from(SECRET)));
    assert.equal(box.open(sealed, 'AKIAEXAMPLE'), SECRET);
    // A fresh iv each time: the same secret seals differently.
    assert.notEqual(box.seal(SECRET, 'AKIAEXAMPLE'), sealed);
  });

  it('refuses a tampered ciphertext, iv or tag', () => {
    const sealed = box.seal(SECRET, 'AKIAEXAMPLE');
    const body = Buffer.from(sealed.slice(3), 'base64');
    // iv = bytes 0-11, ciphertext = 12 .. length-17, tag = the last 16 bytes
    for (const at of [0, 12, 12 + SECRET.length - 1, body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[at] = tampered[at]! ^ 0x01;
      assert.throws(() => box.open(`v1:${tampered.toString('base64')}`, 'AKIAEXAMPLE'), SecretBoxError);
    }
    assert.throws(() => box.open(`v1:${body.subarray(0, 20).toString('base64')}`, 'AKIAEXAMPLE'), SecretBoxError);
  });

  it('refuses another key and another context', () => {
    const sealed = box.seal(SECRET, 'AKIAEXAMPLE');
    assert.throws(() => SecretBox.ephemeral().open(sealed, 'AKIAEXAMPLE'), SecretBoxError);
    assert.throws(() => box.open(sealed, 'AKIAOTHER'), SecretBoxError);
  });

  it('tells plaintext from sealed values, and refuses to open plaintext', () => {
    assert.equal(isSealed(SECRET), false);
    assert.throws(() => box.open(SECRET, 'AKIAEXAMPLE'), SecretBoxError);
  });

  it('takes 32-byte keys only', () => {
    assert.throws(() => new SecretBox(Buffer.alloc(16)), /32 bytes/);
  });
});
