import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRangeHeader } from './byte-ranges.ts';

describe('parseRangeHeader (a 1000-byte body)', () => {
  const cases: [string | undefined, ReturnType<typeof parseRangeHeader>][] = [
    [undefined, undefined],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=900-', { start: 900, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }], // an end past the body is clamped
    ['bytes=-100', { start: 900, end: 999 }], // the last 100 bytes
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=1000-2000', 'unsatisfiable'],
    ['bytes=500-400', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-6', undefined], // several ranges: the whole body instead
    ['bytes=-', undefined],
    ['bytes=abc', undefined],
    ['items=0-1', undefined],
  ];
  for (const [header, expected] of cases) {
    it(`${header} → ${JSON.stringify(expected)}`, () => assert.deepEqual(parseRangeHeader(header, 1000), expected));
  }

  it('finds every range of an empty body unsatisfiable', () => {
    assert.equal(parseRangeHeader('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRangeHeader('bytes=-1', 0), 'unsatisfiable');
  });
});
