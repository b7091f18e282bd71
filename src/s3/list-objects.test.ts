import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidBucketName } from './bucket-names.ts';
import {
  commonPrefixOf,
  decodeContinuationToken,
  encodeContinuationToken,
  laterPosition,
  parseMaxKeys,
} from './list-objects.ts';

describe('ListObjectsV2 pieces', () => {
  it('rolls keys up to the first delimiter after the prefix', () => {
    assert.equal(commonPrefixOf('a/b/c', '', '/'), 'a/');
    assert.equal(commonPrefixOf('a/b/c', 'a/', '/'), 'a/b/');
    assert.equal(commonPrefixOf('a/b', 'a/', '/'), undefined);
    assert.equal(commonPrefixOf('a/b', '', ''), undefined);
    assert.equal(commonPrefixOf('x--y--z', 'x', '--'), 'x--');
  });

  it('round-trips continuation tokens and refuses foreign ones', () => {
    assert.equal(decodeContinuationToken(encodeContinuationToken('k/é')), 'k/é');
    assert.throws(() => decodeContinuationToken('garbage'), { code: 'InvalidArgument' });
  });

  it('reads max-keys, capped at 1000', () => {
    assert.equal(parseMaxKeys(undefined), 1000);
    assert.equal(parseMaxKeys('2'), 2);
    assert.equal(parseMaxKeys('5000'), 1000);
    assert.throws(() => parseMaxKeys('-1'), { code: 'InvalidArgument' });
  });

  it('takes the later of start-after and the token, in UTF-8 order', () => {
    assert.equal(laterPosition(undefined, 'b'), 'b');
    assert.equal(laterPosition('c', 'b'), 'c');
    // U+FF5E sorts before U+1F600 in UTF-8 (and after it in UTF-16)
    assert.equal(laterPosition('\u{FF5E}', '\u{1F600}'), '\u{1F600}');
  });
});

describe('bucket names', () => {
  const cases: [string, boolean][] = [
    ['my-bucket', true],
    ['a.b.c', true],
    ['ab', false],
    ['a'.repeat(64), false],
    ['Upper', false],
    ['under_score', false],
    ['-start', false],
    ['two..dots', false],
    ['192.168.0.1', false],
    ['xn--punycode', false],
    ['name-s3alias', false],
  ];
  for (const [name, valid] of cases) it(`${name}: ${valid}`, () => assert.equal(isValidBucketName(name), valid));
});
