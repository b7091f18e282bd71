import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../shared/aws-error.ts';
import { compileRefusals, displayName, pathSteps, refusalMessage } from './refused-members.ts';

class InvalidParameterException extends AwsError {
  readonly code = 'InvalidParameterException';
}
const invalid = (message: string) => new InvalidParameterException(message);
const scope = { accountId: '000000000000' };

describe('compileRefusals', () => {
  it('splits paths into members, list elements and map values', () => {
    assert.deepEqual(pathSteps('a.b[].c{}.d'), ['a', 'b', '[]', 'c', '{}', 'd']);
    assert.deepEqual(pathSteps('a[][]'), ['a', '[]', '[]']);
    assert.throws(() => pathSteps('a..b'), /malformed/);
    assert.equal(displayName('containerDefinitions[].secrets'), 'containerDefinitions.secrets');
  });

  it('compiles to nothing for an operation that refuses nothing (inert members are not walked)', () => {
    assert.equal(compileRefusals({ acted: ['a'], rules: { b: { inert: 'why' } } }, invalid), undefined);
  });

  it('walks only the input under refused paths', () => {
    const check = compileRefusals({ acted: [], rules: { 'a[].secret': { refused: 'it would leak' } } }, invalid)!;
    let reads = 0;
    // A large member beside the refused path: a Proxy counts every property the check reads of it.
    const elsewhere = new Proxy(
      Array.from({ length: 10_000 }, () => ({ x: 1 })),
      {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    check({ a: [{ other: 1 }, {}], b: elsewhere }, scope);
    assert.equal(reads, 0);
    assert.throws(
      () => check({ a: [{}, { secret: 's' }], b: elsewhere }, scope),
      (error: AwsError) =>
        error.code === 'InvalidParameterException' &&
        error.message === 'Berth does not support a.secret (not planned yet): it would leak.',
    );
  });

  it('gives a condition the value, the input and the structure that holds the member', () => {
    const seen: unknown[] = [];
    const check = compileRefusals(
      {
        acted: [],
        rules: {
          'v[].kind': {
            refused: 'no',
            when: (value, s, parent) => {
              seen.push(value, s.input.top, s.accountId, parent);
              return false;
            },
          },
        },
      },
      invalid,
    )!;
    const element = { kind: 'k' };
    check({ top: 1, v: [element] }, scope);
    assert.deepEqual(seen, ['k', 1, '000000000000', element]);
  });

  it('words the plan: an issue, not planned yet, or by design; a conditional string is quoted', () => {
    const message = (rule: Parameters<typeof refusalMessage>[0]['rule'], value: unknown) =>
      refusalMessage({ rule, name: 'm' }, value);
    assert.equal(message({ refused: 'r', issue: 20 }, ['x']), 'Berth does not support m yet (issue #20): r.');
    assert.equal(message({ refused: 'r' }, 'x'), 'Berth does not support m (not planned yet): r.');
    assert.equal(message({ refused: 'r', byDesign: true, when: () => true }, 'x'), "Berth does not support m 'x': r.");
    assert.match(message({ refused: 'r', when: () => true }, 'y'.repeat(500)), /'y{100}\.\.\.'/);
  });
});
