import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilterPattern } from './filter-pattern.ts';

const ERROR_400 = '[ERROR 400] BAD REQUEST';
const ERROR_419 = '[ERROR 419] MISSING ARGUMENTS';
const WARN = '[WARN] retrying Exception in thread main';
const INFO = 'INFO all good';
const text = [ERROR_400, ERROR_419, WARN, INFO];

const order = JSON.stringify({
  level: 'error',
  code: 500,
  latency: 1250.5,
  ok: false,
  trace: null,
  user: { id: 7, email: 'Jane.Doe@example.com' },
  items: [{ sku: 'A-100' }, { sku: 'B-200' }],
  note: 'upstream timed out',
});
const login = JSON.stringify({ level: 'info', code: 200, latency: 12, ok: true, user: { id: 8 }, items: [] });
const json = [order, login, 'not json', '"a string"'];

describe('filter patterns: terms', () => {
  const cases: [pattern: string, matches: string[]][] = [
    ['', text],
    ['   ', text],
    ['ERROR', [ERROR_400, ERROR_419]],
    ['error', []], // case-sensitive
    ['ERROR ARGUMENTS', [ERROR_419]], // every term
    ['"BAD REQUEST"', [ERROR_400]], // a quoted phrase is one term
    ['"ERROR 4"', [ERROR_400, ERROR_419]],
    ['?WARN ?INFO', [WARN, INFO]], // any ?-term
    ['?BAD ?MISSING ERROR', [ERROR_400, ERROR_419]],
    ['ERROR -MISSING', [ERROR_400]], // -term excludes
    ['-ERROR', [WARN, INFO]],
    ['-"ERROR 419" -INFO', [ERROR_400, WARN]],
    ['"say \\"hi\\""', []],
    ['%ERROR 4[01]9%', [ERROR_419]], // %regex%
    ['%^INFO%', [INFO]],
    ['?%^INFO% ?BAD', [ERROR_400, INFO]],
  ];
  for (const [pattern, expected] of cases) {
    it(`${JSON.stringify(pattern)} matches ${expected.length} of ${text.length}`, () => {
      const matches = compileFilterPattern(pattern);
      assert.deepEqual(
        text.filter((m) => matches(m)),
        expected,
      );
    });
  }

  // Space-delimited patterns ([w1, w2]) are refused rather than matched wrongly.
  for (const pattern of ['"unterminated', '%open', 'a"b', '%(%', '[w1, w2]']) {
    it(`refuses ${JSON.stringify(pattern)}`, () => {
      assert.throws(() => compileFilterPattern(pattern), { code: 'InvalidParameterException' });
    });
  }
});

describe('filter patterns: JSON', () => {
  const cases: [pattern: string, matches: string[]][] = [
    ['{ $.level = "error" }', [order]],
    ['{$.level="error"}', [order]],
    ['{ $.level = error }', [order]], // a bare word is a string
    ['{ $.level != "error" }', [login]],
    ['{ $.level = "err*" }', [order]], // * is a wildcard
    ['{ $.user.email = "*@example.com" }', [order]],
    ['{ $.code = 500 }', [order]],
    ['{ $.code = "500" }', [order]],
    ['{ $.code > 200 }', [order]],
    ['{ $.code >= 200 }', [order, login]],
    ['{ $.latency < 100 }', [login]],
    ['{ $.latency <= 1250.5 }', [order, login]],
    ['{ $.user.id != 7 }', [login]],
    ['{ $.missing != 7 }', []], // nothing to compare
    ['{ $.items[1].sku = "B-200" }', [order]],
    ['{ $.items[0].sku = "B-200" }', []],
    ['{ $.ok IS TRUE }', [login]],
    ['{ $.ok IS FALSE }', [order]],
    ['{ $.trace IS NULL }', [order]],
    ['{ $.trace NOT EXISTS }', [login]],
    ['{ $.note = %time[ds] out% }', [order]],
    ['{ $.level = "error" && $.code = 500 }', [order]],
    ['{ $.level = "error" && $.code = 200 }', []],
    ['{ $.level = "debug" || $.code = 200 }', [login]],
    ['{ ($.code = 500 || $.code = 200) && $.user.id = 8 }', [login]],
    ['{ $.code = 500 || $.code = 200 && $.user.id = 8 }', [order, login]], // && binds tighter
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} matches ${expected.length} of ${json.length}`, () => {
      const matches = compileFilterPattern(pattern);
      assert.deepEqual(
        json.filter((m) => matches(m)),
        expected,
      );
    });
  }

  for (const pattern of [
    '{ $.a = }',
    '{ $.a = 1',
    '{ a = 1 }',
    '{ $.a > "x" }',
    '{ $.a IS MAYBE }',
    '{ $.a = 1 } extra',
    '{ ($.a = 1 }',
    '{ $.a[x] = 1 }',
    '{ $.a & $.b }',
  ]) {
    it(`refuses ${pattern}`, () => {
      assert.throws(() => compileFilterPattern(pattern), {
        code: 'InvalidParameterException',
        message: /^Invalid filter pattern: /,
      });
    });
  }
});

describe('filter patterns: regular expression limits', () => {
  // AWS: at most 2 regular expressions per filter pattern; letters, digits, : _ # = @ / ; , - and the
  // operators ^ $ ? [ ] { } | \ * + . only (no parentheses, no multi-byte characters).
  const accepted = ['%a% %b%', '?%a% ?%b% ERROR', '{ $.a = %x% || $.b = %y% }', '%[a-z]{2,4}\\d+|#x=@/;,_-%'];
  for (const pattern of accepted) {
    it(`accepts ${pattern}`, () => assert.doesNotThrow(() => compileFilterPattern(pattern)));
  }
  const refused: [pattern: string, reason: RegExp][] = [
    ['%a% %b% %c%', /at most 2 regular expressions/],
    ['%a% -%b% ?%c%', /at most 2 regular expressions/],
    ['{ $.a = %x% || $.b = %y% || $.c = %z% }', /at most 2 regular expressions/],
    ['%(a+)+$%', /'\(' is not supported/],
    ['%something!%', /'!' is not supported/],
    ['%café%', /'é' is not supported/],
    ['%a\\1%', /invalid regular expression/], // a backreference: RE2 has none
  ];
  for (const [pattern, reason] of refused) {
    it(`refuses ${pattern}`, () => {
      assert.throws(() => compileFilterPattern(pattern), { code: 'InvalidParameterException', message: reason });
    });
  }

  it('runs a regex that backtracks catastrophically in a RegExp on a 64 KiB line (RE2: linear time)', () => {
    // /a*a*…a*c/ takes seconds on 21 characters with a backtracking engine; O(n^12) on this line.
    const line = 'a'.repeat(64 * 1024) + 'b';
    const json = JSON.stringify({ message: line });
    const stars = 'a*'.repeat(12);
    assert.equal(compileFilterPattern(`%${stars}c%`)(line), false);
    assert.equal(compileFilterPattern(`%${stars}b$%`)(line), true);
    assert.equal(compileFilterPattern(`{ $.message = %${stars}c% }`)(json), false);
    assert.equal(compileFilterPattern(`{ $.message = "${'*a'.repeat(20)}*c" }`)(json), false); // a wildcard, linear too
  });
});
