import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileWildcard, type WildcardOptions } from './wildcard.ts';

const ELB: WildcardOptions = { questionMark: true };
const ELB_HOST: WildcardOptions = { questionMark: true, ignoreCase: true };
const ECR: WildcardOptions = {};

describe('compileWildcard', () => {
  const cases: [pattern: string, value: string, options: WildcardOptions, expected: boolean][] = [
    ['', '', ECR, true],
    ['', 'a', ECR, false],
    ['*', '', ECR, true],
    ['*', 'anything\nat all', ECR, true], // * spans line breaks (the RegExps had /s)
    ['dev-*', 'dev-42', ECR, true],
    ['dev-*', 'prod-dev-42', ECR, false], // the whole value must match
    ['*-rc*', '1.0-rc2', ECR, true],
    ['a*a', 'a', ECR, false], // the first and last segments may not overlap
    ['a*a', 'aa', ECR, true],
    ['a**b', 'ab', ECR, true],
    ['a*b*c', 'acb', ECR, false], // segments keep their order
    ['x*aa*ab*y', 'xaabzy', ECR, false], // ab may not reuse the a of aa
    [`x*${'a'.repeat(40)}*${'a'.repeat(39)}b*y`, `x${'a'.repeat(40)}b${'z'.repeat(40)}y`, ECR, false], // nor with long segments
    [`x*${'a'.repeat(40)}*${'a'.repeat(39)}b*y`, `x${'a'.repeat(80)}bzy`, ECR, true],
    ['v1.0', 'v1x0', ECR, false], // . is literal
    ['v?', 'v1', ECR, false], // without questionMark, ? is literal
    ['v?', 'v?', ECR, true],
    ['/v?/x', '/v2/x', ELB, true],
    ['/v?/x', '/v22/x', ELB, false],
    ['?', '', ELB, false],
    ['?', '😀', ELB, false], // one UTF-16 code unit, as . without /u
    ['??', '😀', ELB, true],
    ['/API', '/api', ELB, false], // paths are case-sensitive
    ['*.example.com', 'A.Example.COM', ELB_HOST, true],
    ['*.example.com', 'example.com', ELB_HOST, false],
    ['ÉTÉ', 'été', ELB_HOST, true], // non-ASCII letters fold too
    ['S', 'ſ', ELB_HOST, false], // but never onto ASCII (ſ upper-cases to S): as /i without /u
    ['*mobile*', 'X Mobile Y', ELB_HOST, true],
    ['a?c*x?z', 'abcQQxyz', ELB, true],
    ['a?c*x?z', 'abcQQxz', ELB, false],
  ];
  for (const [pattern, value, options, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)} (${JSON.stringify(options)})`, () => {
      assert.equal(compileWildcard(pattern, options).test(value), expected);
    });
  }
});

/** The RegExp each caller used to build: the meaning that must not change. */
function regExpOf(pattern: string, { questionMark = false, ignoreCase = false }: WildcardOptions): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?' && questionMark) source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

/** A plain dynamic program over code units: matches[i][j] says pattern[0, i) matches value[0, j). */
function referenceMatch(pattern: string, value: string, options: WildcardOptions): boolean {
  // Code units compare as the engine's own /i does, so the reference does not share foldCase.
  const same = (p: string, v: string) =>
    p === v || (options.ignoreCase === true && regExpOf(p, { ignoreCase: true }).test(v));
  let row = [true, ...Array<boolean>(value.length).fill(false)];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const next = [p === '*' && row[0]!];
    for (let j = 1; j <= value.length; j++) {
      if (p === '*') next[j] = row[j]! || next[j - 1]!;
      else next[j] = row[j - 1]! && ((p === '?' && options.questionMark === true) || same(p, value[j - 1]!));
    }
    row = next;
  }
  return row[value.length]!;
}

describe('compileWildcard agrees with a reference matcher', () => {
  // Case pairs, a letter that upper-cases onto ASCII (ſ), a surrogate pair, a line break, regex
  // characters that must stay literal.
  const characters = ['a', 'b', 'A', 'B', 's', 'S', 'ſ', 'é', 'É', '.', '\n', '\uD83D', '\uDE00'];
  const text = (extra: string[], maxLength: number) =>
    fc.array(fc.constantFrom(...characters, ...extra), { maxLength }).map((chars) => chars.join(''));
  const options = fc.record({ questionMark: fc.boolean(), ignoreCase: fc.boolean() });

  it('on random patterns and values', () => {
    fc.assert(
      fc.property(text(['*', '*', '?', '?'], 10), text(['?', '*'], 14), options, (pattern, value, opts) => {
        const expected = referenceMatch(pattern, value, opts);
        assert.equal(regExpOf(pattern, opts).test(value), expected, 'the reference agrees with the old RegExp');
        assert.equal(compileWildcard(pattern, opts).test(value), expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('on values built from the pattern (mostly matches)', () => {
    const filled = fc.tuple(text(['*', '?'], 10), fc.array(text([], 4), { minLength: 12, maxLength: 12 }), options);
    fc.assert(
      fc.property(filled, ([pattern, fills, opts]) => {
        let fill = 0;
        const value = [...pattern].map((c) => (c === '*' || c === '?' ? fills[fill++ % fills.length]! : c)).join('');
        assert.equal(compileWildcard(pattern, opts).test(value), referenceMatch(pattern, value, opts));
      }),
      { numRuns: 2000 },
    );
  });

  it('on segments longer than 32 characters (several words of Shift-And state)', () => {
    const ab = (maxLength: number) =>
      fc.array(fc.constantFrom('a', 'b'), { maxLength, size: 'max' }).map((c) => c.join(''));
    const segment = fc
      .array(fc.constantFrom('a', 'a', 'b', '?'), { maxLength: 80, size: 'max' })
      .map((c) => c.join(''));
    const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('*'));
    // Half the values fill the pattern in, so that long segments do match somewhere.
    const value = (p: string) =>
      fc.oneof(
        ab(200),
        fc.tuple(ab(1), ab(20)).map(([one, run]) => p.replaceAll('?', one || 'a').replaceAll('*', run)),
      );
    fc.assert(
      fc.property(
        pattern.chain((p) => fc.tuple(fc.constant(p), value(p))),
        ([p, v]) => assert.equal(compileWildcard(p, ELB).test(v), referenceMatch(p, v, ELB)),
      ),
      { numRuns: 400 },
    );
  });
});

describe('compileWildcard takes linear time', () => {
  // Steps are what wildcard.ts counts: characters compared plus 32-bit words of Shift-And state
  // updated. Its bound is n · max(1, ⌈L / 32⌉) for a value of n characters and a longest segment of
  // L: each character is looked at by one segment at most. Far below the c · n · segments a
  // segment-by-segment scan allows, and what a backtracking RegExp takes is not even polynomial
  // in the number of stars.
  const KiB64 = 64 * 1024;
  const slashes = '/*' + '/x*'.repeat(19) + '/z'; // 20 stars, as the listener rule
  const long = 'a'.repeat(38) + '?b'; // 40 characters: two words of state
  const cases: [name: string, pattern: string, value: string, options: WildcardOptions, matched: boolean][] = [
    ['20 stars between slashes, no /x anywhere', slashes, '/'.repeat(KiB64 - 2) + '/z', ELB, false],
    ['20 stars between slashes, a match', slashes, '/' + ('/x' + 'y'.repeat(3275)).repeat(20) + '/z', ELB, true],
    [
      '20 stars, 40-character segments with ?, no b',
      'a' + ('*' + long).repeat(19) + '*a',
      'a'.repeat(KiB64),
      ELB,
      false,
    ],
    ['20 stars, host-style, case folded', '*.'.repeat(20) + 'COM', 'a.'.repeat(KiB64 / 2 - 2) + 'com', ELB_HOST, true],
    ['20 stars, ECR tag filter', 'v' + '*-'.repeat(20), 'v' + '1'.repeat(KiB64 - 2) + '-', ECR, false],
  ];
  for (const [name, pattern, value, options, matched] of cases) {
    it(`${name}: at most n · ⌈L / 32⌉ steps`, () => {
      const longest = Math.max(...pattern.split('*').map((segment) => segment.length));
      const bound = value.length * Math.max(1, Math.ceil(longest / 32));
      const result = compileWildcard(pattern, options).measure(value);
      assert.equal(result.matched, matched);
      assert.ok(value.length >= KiB64 - 2, `a 64 KiB value (${value.length})`);
      assert.ok(result.steps <= bound, `${result.steps} steps > ${bound}`);
    });
  }

  it('counts the work it does: a failed search looks at every character', () => {
    const value = '/'.repeat(KiB64 - 2) + '/z';
    const { steps } = compileWildcard(slashes, ELB).measure(value);
    // '/' at the start and '/z' at the end compare 3 characters; the first '/x' scans the 65,533 between.
    assert.equal(steps, value.length);
  });
});
