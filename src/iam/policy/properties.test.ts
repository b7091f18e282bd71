import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { userPrincipal } from '../../shared/principal.ts';
import type { ContextValues } from './request-keys.ts';
import { evaluate, MalformedPolicyDocumentError, parsePolicy, type Policy, type PolicySet } from './index.ts';

const USER = userPrincipal({ arn: 'arn:aws:iam::000000000000:user/ci', userId: 'AIDA', name: 'ci' });
const ACTIONS = ['ecs:RunTask', 'ecs:ListClusters', 'ecr:GetAuthorizationToken'];
const RESOURCES = [
  '*',
  'arn:aws:ecs:us-east-1:000000000000:cluster/a',
  'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3',
];

const statement = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Action: fc.constantFrom('*', 'ecs:*', 'ecs:Run*', 'ecs:List?lusters', 'ecr:*'),
  Resource: fc.constantFrom(
    '*',
    'arn:aws:ecs:*:*:cluster/*',
    'arn:aws:ecs:*:*:task-definition/${aws:username}*',
    'arn:aws:ecs:*:*:*',
  ),
  Condition: fc.option(
    fc.constantFrom(
      { StringEquals: { 'aws:username': 'ci' } },
      { StringNotEquals: { 'aws:PrincipalTag/team': 'a' } },
      { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } },
    ),
    { nil: undefined },
  ),
});
const policy = fc
  .array(statement, { minLength: 1, maxLength: 4 })
  .map((statements) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity'));
const policies = fc.array(policy, { maxLength: 3 });
const request = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  context: fc.constantFrom<ContextValues>(
    {},
    { 'aws:username': 'ci', 'aws:SourceIp': '10.1.2.3' },
    { 'aws:TagKeys': ['a', 'b'] },
  ),
});
const denyAll = parsePolicy(
  JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }),
  'identity',
);
const allowAll = parsePolicy(
  JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }),
  'identity',
);

function decide(r: { action: string; resource: string; context: ContextValues }, set: PolicySet) {
  return evaluate({ ...r, principal: USER }, set);
}

describe('evaluate: properties', () => {
  it('an explicit deny wins whatever else is attached', () => {
    fc.assert(
      fc.property(request, policies, policies, fc.integer({ min: 0, max: 2 }), (r, identity, extra, where) => {
        const set: PolicySet =
          where === 0
            ? { identity: [...identity, denyAll] }
            : where === 1
              ? { identity, boundary: [denyAll, ...extra] }
              : { identity, session: [...extra, denyAll] };
        const decision = decide(r, set);
        assert.equal(decision.allowed, false);
        assert.equal(!decision.allowed && decision.explicit, true);
      }),
    );
  });

  it('adding an Allow statement never turns an allow into a deny', () => {
    fc.assert(
      fc.property(request, policies, statement, (r, identity, added) => {
        if (!decide(r, { identity }).allowed) return;
        const extra = parsePolicy(
          JSON.stringify({ Version: '2012-10-17', Statement: { ...added, Effect: 'Allow' } }),
          'identity',
        );
        assert.equal(decide(r, { identity: [...identity, extra] }).allowed, true);
      }),
    );
  });

  it('a boundary never widens, and one that allows everything changes nothing', () => {
    fc.assert(
      fc.property(request, policies, policies, (r, identity, boundary) => {
        const without = decide(r, { identity }).allowed;
        if (!without) assert.equal(decide(r, { identity, boundary: [...boundary, allowAll] }).allowed, false);
        if (!without) assert.equal(decide(r, { identity, boundary }).allowed, false);
        assert.equal(decide(r, { identity, boundary: [allowAll] }).allowed, without);
      }),
    );
  });

  it('never throws on arbitrary actions, resources and context', () => {
    const all: Policy[] = fc.sample(policy, 20);
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))),
        (action, resource, context) => {
          evaluate({ action, resource, principal: USER, context }, { identity: all, boundary: all.slice(0, 3) });
        },
      ),
    );
  });
});

describe('parsePolicy: properties', () => {
  it('throws nothing but MalformedPolicyDocumentError on arbitrary JSON', () => {
    const element = fc.oneof(
      fc.jsonValue(),
      statement.map((s) => s as unknown),
    );
    const documents = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          { Version: fc.constantFrom('2012-10-17', '2008-10-17', 1), Statement: fc.oneof(element, fc.array(element)) },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(documents, fc.constantFrom('identity', 'resource', 'trust'), (text, kind) => {
        try {
          parsePolicy(text, kind as 'identity');
        } catch (error) {
          assert.ok(error instanceof MalformedPolicyDocumentError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});
