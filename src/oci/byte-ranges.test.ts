import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContentRange } from './byte-ranges.ts';

describe('parseContentRange (PATCH upload)', () => {
  const cases: [string | undefined, ReturnType<typeof parseContentRange>][] = [
    [undefined, undefined],
    ['0-999', { start: 0, end: 999 }],
    ['bytes 1000-1999/*', { start: 1000, end: 1999 }],
    ['5-4', 'invalid'],
    ['abc', 'invalid'],
  ];
  for (const [header, expected] of cases) {
    it(`${header} → ${JSON.stringify(expected)}`, () => assert.deepEqual(parseContentRange(header), expected));
  }
});
