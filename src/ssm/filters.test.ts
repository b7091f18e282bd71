import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SsmParameterRecord } from '../store/index.ts';
import { compileByPathFilters, compileDescribeFilters, isUnderPath } from './filters.ts';

function parameter(
  name: string,
  type: 'String' | 'SecureString' = 'String',
  tags: [string, string][] = [],
): SsmParameterRecord {
  return {
    name,
    revision: 1,
    tags: tags.map(([Key, Value]) => ({ Key, Value })),
    current: {
      version: 1,
      value: 'v',
      labels: [],
      modifiedAt: new Date(0),
      details: { type, tier: 'Standard', dataType: 'text', lastModifiedUser: 'root' },
    },
  };
}

const all = [
  parameter('/a/x'),
  parameter('/a/b/y', 'SecureString', [['env', 'prod']]),
  parameter('/ab'),
  parameter('plain', 'String', [['env', 'dev']]),
];
const names = (filters: ReturnType<typeof compileDescribeFilters>) =>
  all.filter((p) => filters.matches(p)).map((p) => p.name);

describe('parameter filters', () => {
  it('places names under paths, one level or recursively', () => {
    assert.equal(isUnderPath('/a/x', '/a', false), true);
    assert.equal(isUnderPath('/a/b/y', '/a', false), false);
    assert.equal(isUnderPath('/a/b/y', '/a', true), true);
    assert.equal(isUnderPath('/ab', '/a', true), false); // a sibling sharing a prefix
    assert.equal(isUnderPath('/ab', '/', false), true);
    assert.equal(isUnderPath('plain', '/', true), false);
  });

  it("DescribeParameters' keys and options, AND across filters, OR across values", () => {
    assert.deepEqual(names(compileDescribeFilters(undefined, [{ Key: 'Path', Option: 'Recursive', Values: ['/a'] }])), [
      '/a/x',
      '/a/b/y',
    ]);
    assert.deepEqual(names(compileDescribeFilters(undefined, [{ Key: 'Path', Values: ['/a'] }])), ['/a/x']);
    assert.deepEqual(
      names(compileDescribeFilters(undefined, [{ Key: 'Name', Option: 'BeginsWith', Values: ['/a'] }])),
      ['/a/x', '/a/b/y', '/ab'],
    );
    assert.deepEqual(
      names(
        compileDescribeFilters(undefined, [
          { Key: 'Name', Option: 'BeginsWith', Values: ['/a'] },
          { Key: 'Type', Values: ['SecureString'] },
        ]),
      ),
      ['/a/b/y'],
    );
    assert.deepEqual(names(compileDescribeFilters(undefined, [{ Key: 'tag:env' }])), ['/a/b/y', 'plain']);
    assert.deepEqual(names(compileDescribeFilters(undefined, [{ Key: 'tag:env', Values: ['dev', 'qa'] }])), ['plain']);
    assert.deepEqual(names(compileDescribeFilters([{ Key: 'Name', Values: ['pl'] }], undefined)), ['plain']);
    assert.equal(compileDescribeFilters(undefined, [{ Key: 'Path', Values: ['/a'] }]).prefix, '/a/');
  });

  it("refuses what AWS refuses, in SSM's errors", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    assert.equal(
      code(() => compileDescribeFilters(undefined, [{ Key: 'Label', Values: ['x'] }])),
      'InvalidFilterKey',
    );
    assert.equal(
      code(() => compileDescribeFilters(undefined, [{ Key: 'Path', Option: 'Equals', Values: ['/a'] }])),
      'InvalidFilterOption',
    );
    assert.equal(
      code(() => compileDescribeFilters(undefined, [{ Key: 'Type', Option: 'Contains', Values: ['String'] }])),
      'InvalidFilterOption',
    );
    assert.equal(
      code(() => compileDescribeFilters(undefined, [{ Key: 'Type', Values: ['Number'] }])),
      'InvalidFilterValue',
    );
    assert.equal(
      code(() => compileDescribeFilters(undefined, [{ Key: 'Name' }])),
      'InvalidFilterValue',
    );
    assert.equal(
      code(() => compileDescribeFilters([{ Key: 'Name', Values: ['a'] }], [{ Key: 'Name', Values: ['a'] }])),
      'ValidationException',
    );
    assert.equal(
      code(() => compileByPathFilters([{ Key: 'Path', Values: ['/a'] }])),
      'InvalidFilterKey',
    );
    assert.equal(
      code(() => compileByPathFilters([{ Key: 'tag:env', Values: ['a'] }])),
      'InvalidFilterKey',
    );
    assert.equal(
      code(() => compileByPathFilters([{ Key: 'Label', Option: 'BeginsWith', Values: ['a'] }])),
      'InvalidFilterOption',
    );
    assert.deepEqual(compileByPathFilters([{ Key: 'Label', Values: ['a', 'b'] }]).labels, ['a', 'b']);
  });
});
