import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinearRegExp } from './linear-regexp.ts';

describe('LinearRegExp', () => {
  const cases: [source: string, value: string, whole: boolean, expected: boolean][] = [
    ['a+', 'xaay', false, true], // somewhere in the value
    ['a+', 'xaay', true, false], // the whole value
    ['i-0.*|i-1.*', 'i-1abc', true, true], // alternation stays inside the anchors
    ['i-0.*|i-1.*', 'xi-1abc', true, false],
    ['^INFO', 'INFO all good', false, true],
    ['ERROR 4[01]9', '[ERROR 419] MISSING ARGUMENTS', false, true],
    ['\\d{1,3}\\.\\d{1,3}', 'from 10.0.0.1', false, true],
  ];
  for (const [source, value, whole, expected] of cases) {
    it(`/${source}/${whole ? ' (whole)' : ''} on ${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(new LinearRegExp(source, { whole }).test(value), expected);
    });
  }

  // RE2 has no backreferences or lookaround: they are what makes matching more than linear.
  for (const source of ['(a', '(a)\\1', 'a(?=b)', 'x{2,1}', '[a-']) {
    it(`refuses /${source}/ with a SyntaxError`, () => {
      assert.throws(() => new LinearRegExp(source), SyntaxError);
    });
  }

  it('answers on 64 KiB for patterns that backtrack exponentially in a RegExp', () => {
    // RE2 runs in time linear in the input: these return, where /(a+)+$/ would not in a lifetime.
    const line = 'a'.repeat(64 * 1024) + 'b';
    for (const source of ['(a+)+$', '(a|aa)*c', 'a*a*a*a*a*a*a*a*a*a*a*a*c', '(x+x+)+y'])
      assert.equal(new LinearRegExp(source).test(line), false, source);
    assert.equal(new LinearRegExp('(a+)+b$').test(line), true);
  });
});
