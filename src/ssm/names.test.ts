import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkParameterName, levelsOf, nameOf, normalizePath, parameterArn, parseSelector } from './names.ts';

const scope = { region: 'us-east-1', accountId: '000000000000' };

describe('parameter names', () => {
  const cases: [string, string | undefined][] = [
    ['plain', undefined],
    ['/app/db/password', undefined],
    ['a.b-c_d', undefined],
    ['aws-thing', 'ValidationException'],
    ['/SSM/x', 'ValidationException'],
    ['app/db', 'ValidationException'], // a slash, so it must start with one
    ['/app//db', 'ValidationException'],
    ['/app/db/', 'ValidationException'],
    ['/has space', 'ValidationException'],
    [`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`, undefined], // 15 levels
    [`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, 'HierarchyLevelLimitExceededException'],
    ['x'.repeat(1012), 'ValidationException'],
  ];
  for (const [name, error] of cases) {
    it(`${name.slice(0, 40)}: ${error ?? 'valid'}`, () => {
      if (error === undefined) assert.doesNotThrow(() => checkParameterName(name));
      else
        assert.throws(
          () => checkParameterName(name),
          (e: Error & { code?: string }) => e.code === error,
        );
    });
  }

  it('counts levels, normalizes paths and forms ARNs without doubling the slash', () => {
    assert.equal(levelsOf('/a/b/c'), 3);
    assert.equal(levelsOf('name'), 1);
    assert.equal(normalizePath('/a/b/'), '/a/b');
    assert.equal(normalizePath('/'), '/');
    assert.throws(() => normalizePath('a/b'), /forward slash/);
    assert.equal(parameterArn(scope, '/a/b'), 'arn:aws:ssm:us-east-1:000000000000:parameter/a/b');
    assert.equal(parameterArn(scope, 'plain'), 'arn:aws:ssm:us-east-1:000000000000:parameter/plain');
    assert.equal(nameOf('arn:aws:ssm:us-east-1:000000000000:parameter/a/b', scope), '/a/b');
    assert.equal(nameOf('arn:aws:ssm:us-east-1:000000000000:parameter/plain', scope), 'plain');
    // Another account's ARN names nothing here.
    assert.equal(
      nameOf('arn:aws:ssm:us-east-1:111111111111:parameter/a', scope),
      'arn:aws:ssm:us-east-1:111111111111:parameter/a',
    );
  });

  it('splits selectors: a number is a version, anything else a label', () => {
    assert.deepEqual(parseSelector('/a/b'), { name: '/a/b' });
    assert.deepEqual(parseSelector('/a/b:3'), { name: '/a/b', selector: { kind: 'version', version: 3 }, raw: '3' });
    assert.deepEqual(parseSelector('/a/b:prod'), {
      name: '/a/b',
      selector: { kind: 'label', label: 'prod' },
      raw: 'prod',
    });
    assert.deepEqual(
      parseSelector('arn:aws:ssm:us-east-1:000000000000:parameter/a:2').name,
      'arn:aws:ssm:us-east-1:000000000000:parameter/a',
    );
  });
});
