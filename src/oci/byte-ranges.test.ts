import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContentRange, parseRangeHeader } from './byte-ranges.ts';

describe('parseRangeHeader (GET blob, 1000-byte blob)', () => {
  const cases: [string | undefined, ReturnType<typeof parseRangeHeader>][] = [
    [undefined, undefined],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=900-', { start: 900, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }], // an end past the blob is clamped
    ['bytes=-100', { start: 900, end: 999 }], // the last 100 bytes
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=500-400', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-6', undefined], // several ranges: the whole blob instead
    ['items=0-1', undefined],
  ];
  for (const [header, expected] of cases) {
    it(`${header} → ${JSON.stringify(expected)}`, () => assert.deepEqual(parseRangeHeader(header, 1000), expected));
  }
});

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
