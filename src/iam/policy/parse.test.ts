import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { userPrincipal } from '../../shared/principal.ts';
import { conditionKeysOf, evaluate, MalformedPolicyDocumentError, parsePolicy, type PolicyKind } from './index.ts';

const doc = (statement: unknown, version: string | undefined = '2012-10-17') =>
  JSON.stringify(version === undefined ? { Statement: statement } : { Version: version, Statement: statement });
const ok = { Effect: 'Allow', Action: 'ecs:*', Resource: '*' };

// IAM's MalformedPolicyDocument messages, as moto's policy validator (checked against AWS) and the
// issue threads quoting IAM have them.
const REFUSED: readonly [string, string, PolicyKind, string][] = [
  ['not JSON', '{', 'identity', 'Syntax errors in policy.'],
  ['an array', '[]', 'identity', 'Syntax errors in policy.'],
  [
    'an unknown top element',
    JSON.stringify({ Version: '2012-10-17', Statement: ok, Foo: 1 }),
    'identity',
    'Syntax errors in policy.',
  ],
  ['an unknown version', doc(ok, '2015-01-01'), 'identity', 'Syntax errors in policy.'],
  ['no statement', JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'identity', 'Syntax errors in policy.'],
  ['an unknown statement element', doc({ ...ok, Foo: 1 }), 'identity', 'Syntax errors in policy.'],
  ['Action and NotAction', doc({ ...ok, NotAction: 'x:y' }), 'identity', 'Syntax errors in policy.'],
  ['a bad Effect', doc({ ...ok, Effect: 'Permit' }), 'identity', 'Syntax errors in policy.'],
  ['an Effect in the wrong case', doc({ ...ok, Effect: 'allow' }), 'identity', 'The policy failed legacy parsing'],
  [
    'a principal in an identity policy',
    doc({ ...ok, Principal: '*' }),
    'identity',
    'Policy document should not specify a principal.',
  ],
  [
    'no principal in a resource policy',
    doc({ Effect: 'Allow', Action: 'ecr:*' }),
    'resource',
    'Missing required field Principal',
  ],
  [
    'no principal in a trust policy',
    doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
    'trust',
    'Missing required field Principal',
  ],
  ['no action', doc({ Effect: 'Allow', Resource: '*' }), 'identity', 'Policy statement must contain actions.'],
  [
    'no resource in an identity policy',
    doc({ Effect: 'Allow', Action: 'ecs:*' }),
    'identity',
    'Policy statement must contain resources.',
  ],
  [
    'an action without a vendor',
    doc({ ...ok, Action: 'RunTask' }),
    'identity',
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  ],
  [
    'an action with two colons',
    doc({ ...ok, Action: 'ecs:Run:Task' }),
    'identity',
    'Actions/Condition can contain only one colon.',
  ],
  ['a bad vendor', doc({ ...ok, Action: 'ec s:RunTask' }), 'identity', 'Vendor ec s is not valid'],
  [
    'a resource that is no ARN',
    doc({ ...ok, Resource: 'cluster' }),
    'identity',
    'Resource cluster must be in ARN format or "*".',
  ],
  [
    'duplicate Sids',
    doc([
      { ...ok, Sid: 'a' },
      { ...ok, Sid: 'a' },
    ]),
    'identity',
    'Statement IDs (SID) in a single policy must be unique.',
  ],
  [
    'an invalid AWS principal',
    doc({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'ecr:*' }),
    'resource',
    'Invalid principal in policy: "AWS":"bob"',
  ],
  [
    'an invalid service principal',
    doc({ Effect: 'Allow', Principal: { Service: 'ecs tasks' }, Action: 'sts:AssumeRole' }),
    'trust',
    'Invalid principal in policy: "SERVICE":"ecs tasks"',
  ],
  [
    'an unknown condition operator',
    doc({ ...ok, Condition: { StringEqualz: { 'aws:username': 'a' } } }),
    'identity',
    'Syntax errors in policy.',
  ],
];

describe('parsePolicy', () => {
  for (const [name, text, kind, message] of REFUSED) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parsePolicy(text, kind),
        (error: unknown) => error instanceof MalformedPolicyDocumentError && error.message === message,
      );
    });
  }

  it('accepts both versions, a single statement object and no Version (2008-10-17)', () => {
    for (const version of ['2012-10-17', '2008-10-17', undefined])
      assert.equal(parsePolicy(doc(ok, version), 'identity').statements.length, 1);
  });

  it('accepts every principal form', () => {
    const principal = {
      AWS: [
        '*',
        '000000000000',
        'arn:aws:iam::000000000000:root',
        'arn:aws:iam::000000000000:user/path/ci',
        'arn:aws:iam::000000000000:role/r',
        'arn:aws:sts::000000000000:assumed-role/r/s',
      ],
      Service: 'ecs-tasks.amazonaws.com',
      Federated: 'cognito-identity.amazonaws.com',
    };
    assert.equal(
      parsePolicy(doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }), 'trust').kind,
      'trust',
    );
  });

  it('compiles a text once', () => {
    const text = doc(ok);
    assert.equal(parsePolicy(text, 'identity'), parsePolicy(text, 'identity'));
    assert.notEqual(
      parsePolicy(text, 'identity'),
      parsePolicy(text, 'identity', { impliedResource: 'arn:aws:ecr:r:0:repository/a' }),
    );
  });

  it('applies a resource policy without Resource to the implied resource', () => {
    const repository = 'arn:aws:ecr:us-east-1:000000000000:repository/web';
    const user = userPrincipal({ arn: 'arn:aws:iam::000000000000:user/ci', userId: 'AIDA', name: 'ci' });
    const policy = parsePolicy(doc({ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'ecr:*' }), 'resource', {
      impliedResource: repository,
    });
    const ask = (resource: string) =>
      evaluate(
        { action: 'ecr:BatchGetImage', resource, principal: user, context: {} },
        { identity: [], resource: [policy] },
      ).allowed;
    assert.equal(ask(repository), true);
    assert.equal(ask(`${repository}-other`), false);
  });

  it('lists the condition keys the policies read, variables included', () => {
    const policy = parsePolicy(
      doc({
        ...ok,
        Resource: 'arn:aws:ecs:*:*:cluster/${aws:PrincipalTag/Team}',
        Condition: { StringEquals: { 'aws:ResourceTag/Env': '${aws:username}' } },
      }),
      'identity',
    );
    assert.deepEqual([...conditionKeysOf([policy])].sort(), [
      'aws:principaltag/team',
      'aws:resourcetag/env',
      'aws:username',
    ]);
  });
});

describe('resource patterns', () => {
  const user = userPrincipal({ arn: 'arn:aws:iam::000000000000:user/ci', userId: 'AIDA', name: 'ci' });
  const allowed = (
    resourcePattern: string,
    resource: string,
    context: Record<string, string> = {},
    version = '2012-10-17',
  ) =>
    evaluate(
      { action: 'ecs:RunTask', resource, principal: user, context },
      {
        identity: [
          parsePolicy(doc({ Effect: 'Allow', Action: 'ECS:run*', Resource: resourcePattern }, version), 'identity'),
        ],
      },
    ).allowed;
  const td = 'arn:aws:ecs:us-east-1:000000000000:task-definition/ci:3';

  it('matches actions case-insensitively and resources case-sensitively, with * and ?', () => {
    assert.equal(allowed('arn:aws:ecs:*:*:task-definition/ci:?', td), true);
    assert.equal(allowed('arn:aws:ecs:*:*:task-definition/CI:?', td), false);
    assert.equal(allowed('*', td), true);
  });

  it('resolves variables, defaults, and matches nothing for a variable with no value', () => {
    assert.equal(allowed('arn:aws:ecs:*:*:task-definition/${aws:username}:*', td, { 'aws:username': 'ci' }), true);
    assert.equal(allowed('arn:aws:ecs:*:*:task-definition/${aws:username}:*', td), false);
    assert.equal(allowed("arn:aws:ecs:*:*:task-definition/${aws:PrincipalTag/team, 'ci'}:*", td), true);
    assert.equal(
      allowed('arn:aws:ecs:*:*:task-definition/${aws:username}:*', td, { 'aws:username': 'ci' }, '2008-10-17'),
      false,
    );
  });

  it('NotResource with a variable with no value applies to every resource', () => {
    const policy = parsePolicy(
      doc({ Effect: 'Deny', Action: 'ecs:*', NotResource: 'arn:aws:ecs:*:*:*/${aws:username}' }),
      'identity',
    );
    const decision = evaluate(
      { action: 'ecs:RunTask', resource: td, principal: user, context: {} },
      { identity: [policy] },
    );
    assert.deepEqual(decision, { allowed: false, explicit: true, source: 'identity-based policy' });
  });
});
