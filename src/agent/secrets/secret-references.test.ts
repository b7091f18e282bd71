import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batchParameterNames,
  extractJsonKey,
  findParameter,
  formatGoFloat,
  formatGoValue,
  isSecretsManagerArn,
  parseRegistryCredentials,
  parseSecretReference,
  secretVersionKey,
} from './secret-references.ts';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';

describe('parseSecretReference (valueFrom as the ECS agent reads it)', () => {
  const cases: [string, string, ReturnType<typeof parseSecretReference>][] = [
    ['a whole secret', SECRET, { kind: 'asm', valueFrom: SECRET, secretId: SECRET }],
    [
      'a json key',
      `${SECRET}:password::`,
      { kind: 'asm', valueFrom: `${SECRET}:password::`, secretId: SECRET, jsonKey: 'password' },
    ],
    [
      'a stage, no key',
      `${SECRET}::AWSPREVIOUS:`,
      { kind: 'asm', valueFrom: `${SECRET}::AWSPREVIOUS:`, secretId: SECRET, versionStage: 'AWSPREVIOUS' },
    ],
    [
      'all three parts',
      `${SECRET}:user:AWSCURRENT:v-1`,
      {
        kind: 'asm',
        valueFrom: `${SECRET}:user:AWSCURRENT:v-1`,
        secretId: SECRET,
        jsonKey: 'user',
        versionStage: 'AWSCURRENT',
        versionId: 'v-1',
      },
    ],
    ['all three parts empty', `${SECRET}:::`, { kind: 'asm', valueFrom: `${SECRET}:::`, secretId: SECRET }],
    [
      'another partition keeps its partition',
      'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x-AbCdEf:k::',
      {
        kind: 'asm',
        valueFrom: 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x-AbCdEf:k::',
        secretId: 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x-AbCdEf',
        jsonKey: 'k',
      },
    ],
    ['a parameter name', 'db_password', { kind: 'ssm', valueFrom: 'db_password' }],
    ['a parameter path', '/app/db/password', { kind: 'ssm', valueFrom: '/app/db/password' }],
    [
      'a parameter ARN',
      'arn:aws:ssm:us-east-1:123456789012:parameter/app/db',
      { kind: 'ssm', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/db' },
    ],
  ];
  for (const [name, valueFrom, expected] of cases) {
    it(name, () => assert.deepEqual(parseSecretReference(valueFrom), expected));
  }

  it('refuses a Secrets Manager ARN with 3 or 4 resource parts, in the agent’s words', () => {
    for (const valueFrom of [`${SECRET}:password`, `${SECRET}:password:AWSCURRENT`, `${SECRET}:a:b:c:d`]) {
      assert.deepEqual(parseSecretReference(valueFrom), {
        kind: 'malformed',
        valueFrom,
        problem:
          'an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.',
      });
    }
  });

  it('tells Secrets Manager from SSM by the ARN’s service only', () => {
    assert.equal(isSecretsManagerArn(SECRET), true);
    assert.equal(isSecretsManagerArn('arn:aws:ssm:us-east-1:123456789012:parameter/x'), false);
    assert.equal(isSecretsManagerArn('secretsmanager-looking-name'), false);
  });

  it('keys a fetch by secret, stage and version, not by json key', () => {
    const key = (valueFrom: string) => {
      const reference = parseSecretReference(valueFrom);
      assert.equal(reference.kind, 'asm');
      return secretVersionKey(reference as Extract<typeof reference, { kind: 'asm' }>);
    };
    assert.equal(key(`${SECRET}:user::`), key(`${SECRET}:password::`));
    assert.equal(key(SECRET), key(`${SECRET}:::`));
    assert.notEqual(key(`${SECRET}:user:AWSPREVIOUS:`), key(`${SECRET}:user::`));
    assert.notEqual(key(`${SECRET}:user::v1`), key(`${SECRET}:user::v2`));
  });
});

describe('batchParameterNames', () => {
  it('sends distinct names, at most 10 a call, in first-seen order', () => {
    const names = Array.from({ length: 23 }, (_, i) => `/p/${i}`);
    const batches = batchParameterNames([...names, '/p/0', '/p/22']);
    // 23 distinct names → 10 + 10 + 3
    assert.deepEqual(
      batches.map((batch) => batch.length),
      [10, 10, 3],
    );
    assert.deepEqual(batches.flat(), names);
  });
  it('makes no call for no names', () => assert.deepEqual(batchParameterNames([]), []));
});

describe('findParameter (what GetParameters answered for a requested name)', () => {
  const answers = [
    { Name: '/app/db', ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/db', Value: 'a' },
    { Name: 'plain', ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/plain', Value: 'b' },
    { Name: '/app/url', Selector: ':2', Value: 'v2' },
    { Name: '/app/url', Selector: ':stable', Value: 'stable' },
  ];
  const cases: [string, string | undefined][] = [
    ['/app/db', 'a'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/app/db', 'a'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/plain', 'b'],
    ['/app/url:2', 'v2'],
    ['/app/url:stable', 'stable'],
    ['/app/nope', undefined],
  ];
  for (const [requested, value] of cases) {
    it(requested, () => assert.equal(findParameter(requested, answers)?.Value, value));
  }
});

describe('extractJsonKey (json.Unmarshal into a map, then %v)', () => {
  const ok: [string, string, string, string][] = [
    ['a string', '{"password":"p@ss"}', 'password', 'p@ss'],
    ['an empty string', '{"k":""}', 'k', ''],
    ['a whole number', '{"port":5432}', 'port', '5432'],
    ['a million is written as Go writes a float64', '{"n":1000000}', 'n', '1e+06'],
    ['a fraction', '{"ratio":0.25}', 'ratio', '0.25'],
    ['a boolean', '{"on":true}', 'on', 'true'],
    ['null', '{"none":null}', 'none', '<nil>'],
    ['an array', '{"list":["a",1,false]}', 'list', '[a 1 false]'],
    ['an object, keys sorted', '{"o":{"b":2,"a":"x","c":{"z":null}}}', 'o', 'map[a:x b:2 c:map[z:<nil>]]'],
    ['the last duplicate key wins', '{"k":"one","k":"two"}', 'k', 'two'],
    ['a key named __proto__', '{"__proto__":"x"}', '__proto__', 'x'],
  ];
  for (const [name, text, key, value] of ok) {
    it(name, () => assert.deepEqual(extractJsonKey(text, key), { value }));
  }

  const failures: [string, string, string][] = [
    ['a missing key', '{"a":1}', 'retrieved secret from Secrets Manager did not contain json key password'],
    ['JSON null', 'null', 'retrieved secret from Secrets Manager did not contain json key password'],
    ['a JSON string', '"just text"', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['a JSON array', '[1,2]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a JSON number', '42', 'json: cannot unmarshal number into Go value of type map[string]interface {}'],
    ['a JSON boolean', 'true', 'json: cannot unmarshal bool into Go value of type map[string]interface {}'],
    ['plain text', 'hunter2', 'invalid character looking for beginning of value'],
    ['an empty string', '', 'unexpected end of JSON input'],
    ['truncated JSON', '{"password":"hun', 'unexpected end of JSON input'],
    ['broken JSON', '{"password" "x"}', 'invalid character in JSON input'],
    [
      'a number Go cannot hold',
      '{"password":"x","n":1e400}',
      'json: cannot unmarshal number into Go value of type float64',
    ],
  ];
  for (const [name, text, error] of failures) {
    it(`${name} fails`, () => assert.deepEqual(extractJsonKey(text, 'password'), { error }));
  }

  it('never quotes the secret in a syntax error', () => {
    for (const text of ['hunter2', 'xhunter2', '{"password": hunter2}', '{"password":"hunter2",}']) {
      const result = extractJsonKey(text, 'password');
      assert.ok('error' in result);
      assert.doesNotMatch(result.error, /hunter|'/);
    }
  });
});

describe('formatGoValue / formatGoFloat (fmt %v, strconv "g" shortest)', () => {
  const floats: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [-2.5, '-2.5'],
    [123456, '123456'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [123456789, '1.23456789e+08'],
    [1e21, '1e+21'],
    [1.5e300, '1.5e+300'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.25e-7, '1.25e-07'],
    [Number('12345678901234567890'), '1.2345678901234567e+19'],
  ];
  for (const [value, text] of floats) {
    it(`${value} → ${text}`, () => assert.equal(formatGoFloat(value), text));
  }
  it('sorts map keys by their UTF-8 bytes', () => {
    // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    assert.equal(formatGoValue({ '\u{1F600}': 1, '\uFF5E': 2, a: 3 }), 'map[a:3 ～:2 😀:1]');
  });
});

describe('parseRegistryCredentials (agent/asm/asm.go extractASMValue)', () => {
  it('reads username and password', () => {
    assert.deepEqual(parseRegistryCredentials('{"username":"u","password":"p"}'), { username: 'u', password: 'p' });
  });
  it('matches field names case-insensitively, the last key winning, as encoding/json does', () => {
    assert.deepEqual(parseRegistryCredentials('{"Username":"a","USERNAME":"b","PassWord":"p","extra":[1]}'), {
      username: 'b',
      password: 'p',
    });
  });
  const invalid = 'asm fetching authorization data: unable to unmarshal secret value, invalid schema';
  const cases: [string, string | undefined, string][] = [
    ['no SecretString (a binary secret)', undefined, 'asm fetching authorization data: empty secrets value'],
    ['an empty SecretString', '', 'asm fetching authorization data: empty secrets value'],
    ['not JSON', 'user:pass', invalid],
    ['a JSON array', '["u","p"]', invalid],
    ['a JSON string', '"u:p"', invalid],
    ['a number for username', '{"username":1,"password":"p"}', invalid],
    ['a bad type even when a later key fixes it', '{"username":1,"Username":"u","password":"p"}', invalid],
    ['no username', '{"password":"p"}', 'asm fetching username: AuthorizationData is malformed, empty field'],
    [
      'an empty username',
      '{"username":"","password":"p"}',
      'asm fetching username: AuthorizationData is malformed, empty field',
    ],
    [
      'a null username',
      '{"username":null,"password":"p"}',
      'asm fetching username: AuthorizationData is malformed, empty field',
    ],
    ['JSON null', 'null', 'asm fetching username: AuthorizationData is malformed, empty field'],
    ['no password', '{"username":"u"}', 'asm fetching password: AuthorizationData is malformed, empty field'],
  ];
  for (const [name, text, error] of cases) {
    it(`${name} fails`, () => assert.deepEqual(parseRegistryCredentials(text), { error }));
  }
});
