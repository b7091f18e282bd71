import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RuleCondition } from '../data-plane-contract.ts';
import {
  compileRules,
  conditionPredicate,
  hostWithoutPort,
  isInCidr,
  matchRule,
  parseCidr,
  type RequestFacts,
} from './rule-match.ts';

function aRequest(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return { method: 'GET', url: '/', headers: { host: 'example.com' }, sourceIp: '10.0.0.1', ...overrides };
}

const cases: [string, RuleCondition, Partial<RequestFacts>, boolean][] = [
  ['path * spans slashes', { field: 'path-pattern', values: ['/api/*'] }, { url: '/api/v1/users?x=1' }, true],
  ['path ? is one character', { field: 'path-pattern', values: ['/v?/x'] }, { url: '/v2/x' }, true],
  ['path ? is not two', { field: 'path-pattern', values: ['/v?/x'] }, { url: '/v22/x' }, false],
  ['path is case-sensitive', { field: 'path-pattern', values: ['/API'] }, { url: '/api' }, false],
  ['path dots are literal', { field: 'path-pattern', values: ['/a.b'] }, { url: '/axb' }, false],
  ['path matches whole value', { field: 'path-pattern', values: ['/api'] }, { url: '/api/x' }, false],
  ['one of several values', { field: 'path-pattern', values: ['/a', '/b'] }, { url: '/b' }, true],
  [
    'host ignores case and port',
    { field: 'host-header', values: ['*.example.com'] },
    { headers: { host: 'A.Example.COM:8080' } },
    true,
  ],
  [
    'host * needs the dot here',
    { field: 'host-header', values: ['*.example.com'] },
    { headers: { host: 'example.com' } },
    false,
  ],
  [
    'header value ignores case',
    { field: 'http-header', headerName: 'User-Agent', values: ['*mobile*'] },
    { headers: { 'user-agent': 'X Mobile Y' } },
    true,
  ],
  ['absent header', { field: 'http-header', headerName: 'x-env', values: ['*'] }, {}, false],
  ['method is exact', { field: 'http-request-method', values: ['POST'] }, { method: 'POST' }, true],
  ['method is case-sensitive', { field: 'http-request-method', values: ['post'] }, { method: 'POST' }, false],
  [
    'query key and value',
    { field: 'query-string', values: [{ key: 'v', value: 'beta*' }] },
    { url: '/?a=1&v=Beta2' },
    true,
  ],
  ['query value under any key', { field: 'query-string', values: [{ value: 'x' }] }, { url: '/?a=x' }, true],
  ['query decodes', { field: 'query-string', values: [{ key: 'q', value: 'a b' }] }, { url: '/?q=a%20b' }, true],
  ['query absent', { field: 'query-string', values: [{ key: 'v', value: '*' }] }, { url: '/' }, false],
  ['source ip in a v4 cidr', { field: 'source-ip', values: ['10.0.0.0/8'] }, { sourceIp: '10.1.2.3' }, true],
  ['source ip outside', { field: 'source-ip', values: ['192.168.0.0/16'] }, { sourceIp: '10.1.2.3' }, false],
  ['v4-mapped v6 client', { field: 'source-ip', values: ['127.0.0.0/8'] }, { sourceIp: '::ffff:127.0.0.1' }, true],
  ['v6 cidr', { field: 'source-ip', values: ['2001:db8::/32'] }, { sourceIp: '2001:db8:0:1::5' }, true],
];

for (const [name, condition, request, expected] of cases) {
  test(`condition: ${name}`, () => {
    assert.equal(conditionPredicate(condition)(aRequest(request)), expected);
  });
}

test('the first matching rule wins; the default catches the rest', () => {
  const rules = compileRules([
    {
      ruleArn: 'r1',
      priority: 1,
      conditions: [{ field: 'path-pattern', values: ['/a*'] }],
      action: { type: 'fixed-response', statusCode: 201 },
    },
    {
      ruleArn: 'r2',
      priority: 2,
      conditions: [{ field: 'path-pattern', values: ['/ab'] }],
      action: { type: 'fixed-response', statusCode: 202 },
    },
    { ruleArn: 'default', priority: 'default', conditions: [], action: { type: 'fixed-response', statusCode: 404 } },
  ]);
  assert.equal(matchRule(rules, aRequest({ url: '/ab' }))?.ruleArn, 'r1');
  assert.equal(matchRule(rules, aRequest({ url: '/zz' }))?.ruleArn, 'default');
});

test('all conditions of a rule must hold', () => {
  const [rule] = compileRules([
    {
      ruleArn: 'r',
      priority: 1,
      conditions: [
        { field: 'path-pattern', values: ['/x'] },
        { field: 'http-request-method', values: ['GET'] },
      ],
      action: { type: 'fixed-response', statusCode: 200 },
    },
  ]);
  assert.equal(rule!.matches(aRequest({ url: '/x' })), true);
  assert.equal(rule!.matches(aRequest({ url: '/x', method: 'PUT' })), false);
});

test('a rule with many wildcards answers on a long request (linear-time matching, issue #15)', () => {
  // As a backtracking RegExp, this pattern and an 81-byte path froze the process.
  const condition: RuleCondition = { field: 'path-pattern', values: ['/*/*/*/*/*/*/*/*/*/*/*/*/z'] };
  const miss = '/a'.repeat(40) + '/'; // 81 bytes, no z
  assert.equal(conditionPredicate(condition)(aRequest({ url: miss })), false);
  assert.equal(conditionPredicate(condition)(aRequest({ url: '/a'.repeat(32 * 1024) })), false);
  assert.equal(conditionPredicate(condition)(aRequest({ url: '/a'.repeat(32 * 1024) + '/z' })), true);
  const host: RuleCondition = { field: 'host-header', values: ['*-?.*.*.*.*.*.*.*.*.*.*.example.com'] };
  assert.equal(
    conditionPredicate(host)(aRequest({ headers: { host: 'xa.'.repeat(16 * 1024) + 'example.com' } })),
    false,
  );
});

test('host without port', () => {
  assert.equal(hostWithoutPort('a.example:81'), 'a.example');
  assert.equal(hostWithoutPort('[::1]:80'), '[::1]');
  assert.equal(hostWithoutPort(undefined), '');
});

test('cidr parsing rejects nonsense', () => {
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('300.0.0.1/8'), undefined);
  assert.equal(isInCidr('10.0.0.1', parseCidr('nonsense')), false);
  assert.equal(isInCidr('10.0.0.1', parseCidr('10.0.0.1')), true); // no prefix: one address
});
