import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceModel } from './service-model.ts';
import { LinearRegExp } from '../shared/linear-regexp.ts';
import { loadServiceModel } from './service-model.ts';
import { compileInputValidator, describeValidationErrors, mayBacktrack } from './validate-input.ts';

const model: ServiceModel = {
  metadata: { apiVersion: '1', protocol: 'json', endpointPrefix: 'test', serviceId: 'Test' },
  operations: {},
  shapes: {
    Input: {
      type: 'structure',
      required: ['name'],
      members: {
        name: { shape: 'Name' },
        count: { shape: 'Count' },
        status: { shape: 'Status' },
        since: { shape: 'Timestamp' },
        items: { shape: 'Items' },
        labels: { shape: 'Labels' },
        node: { shape: 'Node' },
        data: { shape: 'Data' },
      },
    },
    Name: { type: 'string', min: 1, max: 5, pattern: '[a-z]+' },
    Count: { type: 'integer', min: 1, max: 10 },
    Status: { type: 'string', enum: ['ACTIVE', 'INACTIVE'] },
    Timestamp: { type: 'timestamp' },
    Items: { type: 'list', member: { shape: 'Item' }, max: 2 },
    Item: { type: 'structure', required: ['key'], members: { key: { shape: 'Name' } } },
    Labels: { type: 'map', key: { shape: 'Name' }, value: { shape: 'Count' } },
    Node: { type: 'structure', members: { child: { shape: 'Node' }, name: { shape: 'Name' } } },
    Data: { type: 'blob' },
  },
};

const validate = compileInputValidator(model, 'Input');

describe('compileInputValidator', () => {
  it("matches a model pattern that backtracks exponentially in linear time (ECR's ScanningRepositoryFilterValue)", () => {
    // On a backtracking engine 26 characters took 49 s; 200 would not finish in a lifetime.
    const hostile: ServiceModel = {
      ...model,
      shapes: {
        Input: { type: 'structure', members: { filter: { shape: 'Filter' } } },
        Filter: { type: 'string', min: 1, max: 256, pattern: '^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$' },
      },
    };
    const check = compileInputValidator(hostile, 'Input');
    assert.equal(check({ filter: `${'a'.repeat(200)}!` }).errors.length, 1);
    assert.deepEqual(check({ filter: 'prod-*' }).errors, []);
  });

  it('runs every shipped model pattern that may backtrack on RE2', () => {
    for (const name of ['ecs-2014-11-13', 'ecr-2015-09-21', 'logs-2014-03-28', 'elbv2-2015-12-01'] as const) {
      for (const [shape, { pattern }] of Object.entries(loadServiceModel(name).shapes)) {
        if (pattern !== undefined && mayBacktrack(pattern))
          assert.doesNotThrow(() => new LinearRegExp(pattern, { whole: true }), `${name} ${shape}`);
      }
    }
  });

  it('refuses an integer a Java int cannot hold before checking ranges, as the service deserializer does', () => {
    // 4294967297 = 2^32 + 1: what a container's memory once held, accepted and stored.
    assert.throws(() => validate({ name: 'abc', count: 4294967297 }), {
      code: 'SerializationException',
      message: "Numeric value (4294967297) out of range of int (-2147483648 - 2147483647) at 'count'",
    });
    assert.throws(() => validate({ name: 'abc', count: -(2 ** 31) - 1 }), { code: 'SerializationException' });
    // Inside an int, the model's own range applies as a validation error.
    assert.equal(validate({ name: 'abc', count: 2 ** 31 - 1 }).errors.length, 1);
  });

  it('accepts a valid input and converts timestamps and blobs', () => {
    const { value, errors } = validate({ name: 'abc', since: 1700000000.5, data: 'aGk=', unknownMember: 1 });
    assert.deepEqual(errors, []);
    assert.deepEqual(value.since, new Date(1700000000500));
    assert.deepEqual(value.data, Buffer.from('hi'));
    assert.equal('unknownMember' in value, false); // AWS ignores members it does not know
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['a missing required member', {}, "Value null at 'name' failed to satisfy constraint: Member must not be null"],
    [
      'null for a required member',
      { name: null },
      "Value null at 'name' failed to satisfy constraint: Member must not be null",
    ],
    ['a number for a string', { name: 5 }, "Value '5' at 'name' failed to satisfy constraint: Member must be a string"],
    ['a string too long', { name: 'abcdef' }, 'Member must have length less than or equal to 5'],
    ['a pattern mismatch', { name: 'ABC' }, 'Member must satisfy regular expression pattern: [a-z]+'],
    [
      'a fraction for an integer',
      { name: 'a', count: 1.5 },
      "at 'count' failed to satisfy constraint: Member must be an integer",
    ],
    ['an integer above max', { name: 'a', count: 11 }, 'Member must have value less than or equal to 10'],
    [
      'a value outside the enum',
      { name: 'a', status: 'GONE' },
      'Member must satisfy enum value set: [ACTIVE, INACTIVE]',
    ],
    ['a string for a timestamp', { name: 'a', since: '2020' }, 'Member must be a timestamp in epoch seconds'],
    [
      'a list too long',
      { name: 'a', items: [{ key: 'a' }, { key: 'b' }, { key: 'c' }] },
      'Member must have length less than or equal to 2',
    ],
    ['a nested missing member', { name: 'a', items: [{}] }, "Value null at 'items.1.member.key'"],
    [
      'a bad map value',
      { name: 'a', labels: { a: 'x' } },
      "at 'labels.a' failed to satisfy constraint: Member must be an integer",
    ],
    ['deep recursion', { name: 'a', node: { child: { child: { name: 'TOOLONG' } } } }, "at 'node.child.child.name'"],
    ['an object for a list', { name: 'a', items: {} }, 'Member must be a list'],
    ['bad base64', { name: 'a', data: '%%' }, 'Member must be base64-encoded binary data'],
  ];
  for (const [what, input, expected] of cases) {
    it(`rejects ${what}`, () => {
      const { errors } = validate(input);
      assert.ok(
        errors.some((e) => e.includes(expected)),
        `expected an error containing ${JSON.stringify(expected)}, got ${JSON.stringify(errors)}`,
      );
    });
  }

  it('summarizes errors as AWS does', () => {
    assert.equal(describeValidationErrors(['A']), '1 validation error detected: A');
    assert.equal(describeValidationErrors(['A', 'B']), '2 validation errors detected: A; B');
  });

  it('compiles every operation of the shipped models', async () => {
    const { loadServiceModel } = await import('./service-model.ts');
    for (const name of ['ecs-2014-11-13', 'ecr-2015-09-21', 'logs-2014-03-28'] as const) {
      const shipped = loadServiceModel(name);
      for (const op of Object.values(shipped.operations)) compileInputValidator(shipped, op.input?.shape)({});
    }
  });
});
