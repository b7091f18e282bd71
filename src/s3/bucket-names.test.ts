import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidKey, requireValidKey } from './bucket-names.ts';
import { InvalidURI, KeyTooLongError } from './errors.ts';

describe('object keys', () => {
  const cases: [string, string, boolean][] = [
    ['plain', 'dir/app.env', true],
    ['UTF-8 text', 'données/été.env', true],
    ['CR, LF, TAB and ESC (S3 stores control characters)', 'a\r\nb\tc\x1b', true],
    ['DEL', 'a\x7f', true],
    ['NUL', 'a\0b', false],
    ['a lone surrogate (no UTF-8 for it)', 'a\ud800b', false],
  ];
  for (const [name, key, valid] of cases) {
    it(`${name}: ${valid ? 'valid' : 'InvalidURI'}`, () => {
      assert.equal(isValidKey(key), valid);
      if (valid) requireValidKey(key);
      else assert.throws(() => requireValidKey(key), InvalidURI);
    });
  }

  it('refuses a key over 1024 bytes of UTF-8', () => {
    requireValidKey('é'.repeat(512)); // 512 × 2 = 1024 bytes
    assert.throws(() => requireValidKey(`${'é'.repeat(512)}a`), KeyTooLongError); // 1025
  });
});
