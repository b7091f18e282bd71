import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { Sha256 } from './sha256.ts';

// Sha256 must give exactly what the SDK's own provider gives, for every input type it is fed.
describe('Sha256', () => {
  const inputs: [string, string | Uint8Array][] = [
    ['a string', 'AWS4-HMAC-SHA256\n20260301T120000Z'],
    ['bytes', new Uint8Array([0, 1, 2, 250, 251])],
    ['a view into a larger buffer', new Uint8Array(Buffer.from('xxhello worldxx')).subarray(2, 13)],
    ['nothing', ''],
  ];
  const secrets: [string, string | Uint8Array | undefined][] = [
    ['no secret (hash)', undefined],
    ['a string secret', 'AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['a byte secret', new Uint8Array(32).fill(7)],
  ];
  for (const [secretName, secret] of secrets) {
    for (const [inputName, input] of inputs) {
      it(`matches @smithy/hash-node for ${inputName} with ${secretName}`, async () => {
        const ours = new Sha256(secret);
        const theirs = new Hash('sha256', secret);
        ours.update(input);
        theirs.update(input);
        const expected = Buffer.from(await theirs.digest());
        assert.deepEqual(Buffer.from(await ours.digest()), expected);
        const again = new Sha256(secret); // same key object: now from the cache
        again.update(input);
        assert.deepEqual(Buffer.from(await again.digest()), expected);
      });
    }
  }
});
