import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { equalsLowerCase, headAt, trimmedSlice } from './ascii.ts';

const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)) });

test('equalsLowerCase agrees with ASCII lower-casing for any latin1 text', () => {
  const names = ['connection', 'content-length', 'transfer-encoding', 'host', 'keep-alive'];
  fc.assert(
    fc.property(latin1, fc.constantFrom(...names), (text, lower) => {
      const asciiLower = text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
      assert.equal(equalsLowerCase(text, lower), asciiLower === lower);
    }),
  );
  const anyCase = fc
    .tuple(fc.constantFrom(...names), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }))
    .map(([name, upper]) => [...name].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join(''));
  fc.assert(fc.property(anyCase, (text) => equalsLowerCase(text, text.toLowerCase())));
  assert.equal(equalsLowerCase('Content-Length', 'content-length'), true);
  assert.equal(equalsLowerCase('CONNECTION', 'connection'), true);
  assert.equal(equalsLowerCase('Connectio\r', 'connection'), false);
  assert.equal(equalsLowerCase('Content\rLength', 'content-length'), false); // '\r' | 0x20 is '-'
});

test('trimmedSlice is slice + trim of spaces and tabs', () => {
  const blanky = fc.string({ unit: fc.constantFrom(' ', '\t', 'a', 'b', ':') });
  fc.assert(
    fc.property(blanky, fc.nat(), fc.nat(), (text, a, b) => {
      const start = Math.min(a, b) % (text.length + 1);
      const end = Math.max(start, Math.max(a, b) % (text.length + 1));
      assert.equal(trimmedSlice(text, start, end), text.slice(start, end).replace(/^[ \t]+|[ \t]+$/g, ''));
    }),
  );
});

test('headAt finds the blank line after `start` in small and large buffers alike', () => {
  const text = fc.string({ unit: fc.constantFrom('\r', '\n', 'a', ':'), maxLength: 40 });
  fc.assert(
    fc.property(text, fc.nat(), fc.boolean(), (head, offset, large) => {
      // A large buffer is searched as bytes, a small one as text: padding after the head picks the way.
      const buffer = Buffer.from(head + (large ? 'x'.repeat(5000) : ''), 'latin1');
      const start = offset % (head.length + 1);
      const end = buffer.indexOf('\r\n\r\n', start, 'latin1');
      const expected = end === -1 ? undefined : { end, text: buffer.toString('latin1', start, end) };
      assert.deepEqual(headAt(buffer, start), expected);
    }),
  );
});
