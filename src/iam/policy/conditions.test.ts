import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConditions } from './conditions.ts';
import { RequestKeys, type ContextValues } from './request-keys.ts';

function holds(condition: Record<string, unknown>, context: ContextValues, variables = true): boolean {
  const keys = new RequestKeys(context);
  return parseConditions(condition, variables).every((c) => c.holds(() => keys));
}

// Each row: operator block, request context, expected; IAM User Guide "Condition operators" and
// "Multivalued context keys" unless the comment says otherwise.
const CASES: readonly [string, Record<string, unknown>, ContextValues, boolean][] = [
  ['StringEquals', { StringEquals: { 'aws:username': 'ci' } }, { 'aws:username': 'ci' }, true],
  [
    'StringEquals is case-sensitive in values',
    { StringEquals: { 'aws:username': 'CI' } },
    { 'aws:username': 'ci' },
    false,
  ],
  ['key names are case-insensitive', { StringEquals: { 'AWS:UserName': 'ci' } }, { 'aws:username': 'ci' }, true],
  ['tag key parts too', { StringEquals: { 'aws:PrincipalTag/Team': 'a' } }, { 'aws:principaltag/team': 'a' }, true],
  ['values OR', { StringEquals: { 'aws:username': ['x', 'ci'] } }, { 'aws:username': 'ci' }, true],
  [
    'keys AND',
    { StringEquals: { 'aws:username': 'ci', 'aws:PrincipalType': 'User' } },
    { 'aws:username': 'ci' },
    false,
  ],
  ['missing key: false', { StringEquals: { 'aws:username': 'ci' } }, {}, false],
  ['negated with a missing key: true', { StringNotEquals: { 'aws:username': 'ci' } }, {}, true],
  ['StringNotEquals', { StringNotEquals: { 'aws:username': ['a', 'b'] } }, { 'aws:username': 'ci' }, true],
  [
    'StringNotEquals on a listed value',
    { StringNotEquals: { 'aws:username': ['a', 'ci'] } },
    { 'aws:username': 'ci' },
    false,
  ],
  ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:username': 'CI' } }, { 'aws:username': 'ci' }, true],
  [
    'StringLike',
    { StringLike: { 'ecs:cluster': 'arn:*:cluster/prod-?' } },
    { 'ecs:cluster': 'arn:aws:ecs:r:1:cluster/prod-a' },
    true,
  ],
  ['StringNotLike', { StringNotLike: { 'ecs:cluster': '*prod*' } }, { 'ecs:cluster': 'dev' }, true],
  ['IfExists with a missing key: true', { StringEqualsIfExists: { 'ecs:cluster': 'x' } }, {}, true],
  ['IfExists with the key present', { StringEqualsIfExists: { 'ecs:cluster': 'x' } }, { 'ecs:cluster': 'y' }, false],
  ['NumericLessThan', { NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '9' }, true],
  ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 's3:max-keys': 10 } }, { 's3:max-keys': '9' }, false],
  ['NumericEquals with a non-number', { NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': 'ten' }, false],
  [
    'DateLessThan ISO 8601',
    { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
    { 'aws:currenttime': '2019-12-31T23:59:59Z' },
    true,
  ],
  [
    'DateGreaterThan epoch seconds',
    { DateGreaterThan: { 'aws:CurrentTime': '1577836800' } },
    { 'aws:CurrentTime': '2020-01-01T00:00:01Z' },
    true,
  ],
  ['DateEquals a date', { DateEquals: { 'aws:CurrentTime': '2020-01-01' } }, { 'aws:CurrentTime': '1577836800' }, true],
  ['Bool', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' }, true],
  ['Bool with a JSON boolean', { Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' }, true],
  ['BinaryEquals', { BinaryEquals: { 'k:bin': 'QmluYXJ5' } }, { 'k:bin': 'QmluYXJ5' }, true],
  ['IpAddress IPv4 CIDR', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.7' }, true],
  ['IpAddress outside', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '198.51.100.1' }, false],
  [
    'IpAddress IPv6 CIDR',
    { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } },
    { 'aws:SourceIp': '2001:db8:1234:5678::1' },
    true,
  ],
  [
    'NotIpAddress',
    { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '10.0.0.1'] } },
    { 'aws:SourceIp': '10.0.0.2' },
    true,
  ],
  [
    'IpAddress with a malformed request value',
    { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
    { 'aws:SourceIp': 'nonsense' },
    false,
  ],
  [
    'ArnLike per component',
    { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci-*' } },
    { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/ci-x' },
    true,
  ],
  [
    'ArnLike: * does not cross a component',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:*' } },
    { 'aws:SourceArn': 'arn:aws:ecs:r:1:cluster/a' },
    false,
  ],
  [
    'ArnEquals is ArnLike',
    { ArnEquals: { 'aws:SourceArn': 'arn:aws:ecs:*:*:cluster/a' } },
    { 'aws:SourceArn': 'arn:aws:ecs:r:1:cluster/a' },
    true,
  ],
  [
    'ArnNotEquals',
    { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::0:user/a' } },
    { 'aws:PrincipalArn': 'arn:aws:iam::0:user/b' },
    true,
  ],
  ['Null true: absent', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
  ['Null false: present', { Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': 'x' }, true],
  ['Null true, present', { Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': 'x' }, false],
  [
    'ForAllValues: every request value listed',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'ForAllValues: one not listed',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
    { 'aws:TagKeys': ['a', 'c'] },
    false,
  ],
  ['ForAllValues: missing key is true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } }, {}, true],
  [
    'ForAllValues: empty set is true',
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
    { 'aws:TagKeys': [] },
    true,
  ],
  [
    'ForAnyValue: one listed',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } },
    { 'aws:TagKeys': ['c', 'a'] },
    true,
  ],
  ['ForAnyValue: missing key is false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } }, {}, false],
  [
    'ForAnyValue: empty set is false',
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a'] } },
    { 'aws:TagKeys': [] },
    false,
  ],
  [
    'ForAllValues:StringNotEquals: none listed',
    { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['x'] } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  [
    'ForAnyValue:StringNotEquals: one unlisted',
    { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a'] } },
    { 'aws:TagKeys': ['a', 'b'] },
    true,
  ],
  // "Policy variables with no value": "operators like StringEquals or StringLike do not match".
  [
    'variable in a value',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:username': 'ci', 'aws:ResourceTag/owner': 'ci' },
    true,
  ],
  [
    'variable with no value',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:ResourceTag/owner': '' },
    false,
  ],
  [
    'variable with a default',
    { StringEquals: { 'aws:ResourceTag/owner': "${aws:username, 'anon'}" } },
    { 'aws:ResourceTag/owner': 'anon' },
    true,
  ],
  ['${*} is a literal star', { StringLike: { 'k:v': 'a${*}' } }, { 'k:v': 'a*' }, true],
  ['${*} is not a wildcard', { StringLike: { 'k:v': 'a${*}' } }, { 'k:v': 'abc' }, false],
  ['${?} and ${$}', { StringEquals: { 'k:v': '${?}${$}' } }, { 'k:v': '?$' }, true],
  [
    'a variable value is literal',
    { StringLike: { 'k:v': 'x-${aws:PrincipalTag/t}' } },
    { 'k:v': 'x-abc', 'aws:PrincipalTag/t': '*' },
    false,
  ],
];

describe('conditions', () => {
  for (const [name, condition, context, expected] of CASES) {
    it(name, () => assert.equal(holds(condition, context), expected));
  }

  it('reads ${...} literally under Version 2008-10-17', () => {
    assert.equal(
      holds({ StringEquals: { 'k:v': '${aws:username}' } }, { 'k:v': '${aws:username}', 'aws:username': 'ci' }, false),
      true,
    );
  });

  it('refuses unknown operators, IfExists on Null and malformed dates', () => {
    for (const bad of [
      { StringEqualz: { 'k:v': 'a' } },
      { NullIfExists: { 'k:v': 'true' } },
      { DateEquals: { 'k:v': 'yesterday' } },
      { StringEquals: 'a' },
      { StringEquals: { 'k:v': { a: 1 } } },
    ]) {
      assert.throws(() => parseConditions(bad, true), { name: 'MalformedPolicyDocumentError' }, JSON.stringify(bad));
    }
  });
});
