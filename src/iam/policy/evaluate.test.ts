import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rootPrincipal, userPrincipal, type Principal } from '../../shared/principal.ts';
import { denialMessage, evaluate, parsePolicy, requestContext, type Decision, type PolicySet } from './index.ts';

const ACCOUNT = '000000000000';
const USER = userPrincipal({ arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: 'AIDAEXAMPLE', name: 'ci' });
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const SESSION: Principal = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build-7`,
  root: false,
  kind: 'assumed-role',
  accountId: ACCOUNT,
  userId: 'AROAEXAMPLE:build-7',
  session: { roleArn: ROLE_ARN, roleName: 'deployer', sessionName: 'build-7', expiresAt: new Date(0) },
};
const ROOT = rootPrincipal(ACCOUNT);
const ACTION = 'ecs:RunTask';
const TASK_DEFINITION = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:3`;

function identity(effect: 'Allow' | 'Deny', action = ACTION, resource = '*') {
  return parsePolicy(
    JSON.stringify({ Version: '2012-10-17', Statement: { Effect: effect, Action: action, Resource: resource } }),
    'identity',
  );
}
function resourcePolicy(effect: 'Allow' | 'Deny', principal: unknown, kind: 'resource' | 'trust' = 'resource') {
  return parsePolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: effect, Principal: principal, Action: kind === 'trust' ? 'sts:AssumeRole' : ACTION },
    }),
    kind,
  );
}
const allow = identity('Allow');
const deny = identity('Deny');
const other = identity('Allow', 'ecs:ListClusters');

const ALLOWED: Decision = { allowed: true };
const explicit = (source: string) => ({ allowed: false, explicit: true, source }) as Decision;
const missing = (what: string) => ({ allowed: false, explicit: false, missing: what }) as Decision;

function decide(principal: Principal, policies: PolicySet, action = ACTION): Decision {
  return evaluate(
    { action, resource: TASK_DEFINITION, principal, context: requestContext(principal, { now: new Date(0) }) },
    policies,
  );
}

// Each case cites where AWS says so (IAM User Guide pages, as of the 2023 awsdocs/iam-user-guide sources).
// EVAL = "Policy evaluation logic" (reference_policies_evaluation-logic), "Determining whether a request is
// allowed or denied within an account"; BOUNDS = "Permissions boundaries for IAM entities", "Evaluating
// effective permissions with boundaries"; SESSION = "Policies and permissions in IAM", "Session policies".
const CASES: readonly {
  name: string;
  principal: Principal;
  policies: PolicySet;
  expected: Decision;
  source: string;
}[] = [
  {
    name: 'no policy: implicit deny',
    principal: USER,
    policies: { identity: [] },
    expected: missing('identity-based policy'),
    source: 'EVAL: "By default, all requests are implicitly denied"',
  },
  {
    name: 'identity Allow',
    principal: USER,
    policies: { identity: [allow] },
    expected: ALLOWED,
    source: 'EVAL: "An explicit allow in an identity-based or resource-based policy overrides this default"',
  },
  {
    name: 'identity Allow for another action',
    principal: USER,
    policies: { identity: [other] },
    expected: missing('identity-based policy'),
    source: 'EVAL step "Identity-based policies"',
  },
  {
    name: 'identity Deny beats identity Allow',
    principal: USER,
    policies: { identity: [allow, deny] },
    expected: explicit('identity-based policy'),
    source: 'EVAL: "An explicit deny in any policy overrides any allows"',
  },
  {
    name: 'resource Allow naming the user, no identity policy',
    principal: USER,
    policies: { identity: [], resource: [resourcePolicy('Allow', { AWS: USER.arn })] },
    expected: ALLOWED,
    source:
      'EVAL: "If either the identity-based policy or the resource-based policy within the same account allows the request"',
  },
  {
    name: 'resource Deny beats identity Allow',
    principal: USER,
    policies: { identity: [allow], resource: [resourcePolicy('Deny', '*')] },
    expected: explicit('resource-based policy'),
    source: 'EVAL step "Deny evaluation"',
  },
  {
    name: 'resource Allow naming the account only delegates',
    principal: USER,
    policies: { identity: [], resource: [resourcePolicy('Allow', { AWS: `arn:aws:iam::${ACCOUNT}:root` })] },
    expected: missing('identity-based policy'),
    source:
      'Principal: "This delegates authority to the account ... an administrator in that account must then grant access to an identity"',
  },
  {
    name: 'resource Allow naming the account id, identity Allow',
    principal: USER,
    policies: { identity: [allow], resource: [resourcePolicy('Allow', { AWS: ACCOUNT })] },
    expected: ALLOWED,
    source: 'Principal: "The account ARN and the shortened account ID behave the same way"',
  },
  {
    name: 'resource Deny naming the account denies its users',
    principal: USER,
    policies: { identity: [allow], resource: [resourcePolicy('Deny', { AWS: ACCOUNT })] },
    expected: explicit('resource-based policy'),
    source:
      'Principal: "Using the account ARN in the Principal element does not limit permissions to only the root user"',
  },
  {
    name: 'boundary without the action',
    principal: USER,
    policies: { identity: [allow], boundary: [other] },
    expected: missing('permissions boundary'),
    source: 'BOUNDS: "The effective permissions are the intersection of both policy types"',
  },
  {
    name: 'boundary allowing the action',
    principal: USER,
    policies: { identity: [allow], boundary: [allow] },
    expected: ALLOWED,
    source: 'BOUNDS: "Identity-based policies with boundaries"',
  },
  {
    name: 'boundary alone grants nothing',
    principal: USER,
    policies: { identity: [], boundary: [allow] },
    expected: missing('identity-based policy'),
    source: 'BOUNDS: a boundary "does not provide permissions on its own"',
  },
  {
    name: 'Deny in the boundary',
    principal: USER,
    policies: { identity: [allow], boundary: [allow, deny] },
    expected: explicit('permissions boundary'),
    source: 'BOUNDS: "An explicit deny in either of these policies overrides the allow"',
  },
  {
    name: 'resource Allow naming the user passes a boundary',
    principal: USER,
    policies: { identity: [], boundary: [other], resource: [resourcePolicy('Allow', { AWS: USER.arn })] },
    expected: ALLOWED,
    source:
      'BOUNDS: "resource-based policies that grant permissions to an IAM user ARN ... are not limited by an implicit deny in an identity-based policy or permissions boundary"',
  },
  {
    name: 'resource Allow naming the user does not pass a boundary Deny',
    principal: USER,
    policies: { identity: [], boundary: [deny], resource: [resourcePolicy('Allow', { AWS: USER.arn })] },
    expected: explicit('permissions boundary'),
    source: 'BOUNDS: "If any one of these policy types explicitly denies access ... the request is denied"',
  },
  {
    name: 'role session: role policy Allow',
    principal: SESSION,
    policies: { identity: [allow] },
    expected: ALLOWED,
    source:
      'EVAL step "Session policies": "If there is no session policy ... If the principal is a role session, then the request is Allowed"',
  },
  {
    name: 'role session: session policy without the action',
    principal: SESSION,
    policies: { identity: [allow], session: [other] },
    expected: missing('session policy'),
    source:
      'EVAL step "Session policies": "If a session policy is present and does not allow the requested action, then the request is implicitly denied"',
  },
  {
    name: 'role session: session policy alone grants nothing',
    principal: SESSION,
    policies: { identity: [], session: [allow] },
    expected: missing('identity-based policy'),
    source: 'SESSION: "Session policies limit permissions for a created session, but do not grant permissions"',
  },
  {
    name: 'role session: Deny in the session policy',
    principal: SESSION,
    policies: { identity: [allow], session: [deny] },
    expected: explicit('session policy'),
    source: 'SESSION: "An explicit deny in any of these policies overrides the allow"',
  },
  {
    name: 'resource Allow naming the role ARN: no identity policy needed',
    principal: SESSION,
    policies: { identity: [], resource: [resourcePolicy('Allow', { AWS: ROLE_ARN })] },
    expected: ALLOWED,
    source:
      'SESSION: "the permissions from the resource-based policy are added to the role or user\'s identity-based policy before the session is created"',
  },
  {
    name: 'resource Allow naming the role ARN is limited by the session policy',
    principal: SESSION,
    policies: { identity: [], session: [other], resource: [resourcePolicy('Allow', { AWS: ROLE_ARN })] },
    expected: missing('session policy'),
    source:
      'EVAL: "Resource-based policies that grant permissions to an IAM role ARN are limited by an implicit deny in a permissions boundary or session policy"',
  },
  {
    name: 'resource Allow naming the role ARN is limited by the boundary',
    principal: SESSION,
    policies: { identity: [], boundary: [other], resource: [resourcePolicy('Allow', { AWS: ROLE_ARN })] },
    expected: missing('permissions boundary'),
    source: 'EVAL: "IAM role" bullet, as above',
  },
  {
    name: 'resource Allow naming the session ARN passes the session policy',
    principal: SESSION,
    policies: {
      identity: [],
      session: [other],
      boundary: [other],
      resource: [resourcePolicy('Allow', { AWS: SESSION.arn })],
    },
    expected: ALLOWED,
    source:
      'EVAL: "Permissions granted directly to a session are not limited by an implicit deny in an identity-based policy, a permissions boundary, or session policy"',
  },
  {
    name: 'root: allowed without policies',
    principal: ROOT,
    policies: { identity: [] },
    expected: ALLOWED,
    source: 'EVAL: "with the exception of the AWS account root user, which has full access"',
  },
  {
    name: 'root: resource Deny naming the account',
    principal: ROOT,
    policies: { identity: [], resource: [resourcePolicy('Deny', { AWS: ACCOUNT })] },
    expected: explicit('resource-based policy'),
    source: 'EVAL: "An explicit deny in any policy overrides any allows"',
  },
  {
    name: 'trust policy naming the user: no identity policy needed',
    principal: USER,
    policies: { identity: [], resource: [resourcePolicy('Allow', { AWS: USER.arn }, 'trust')] },
    expected: ALLOWED,
    source:
      'EVAL step "Resource-based policies": "If a resource-based policy grants permission directly to the IAM user ... an implicit deny in an identity-based policy ... does not impact the final decision"',
  },
  {
    name: 'trust policy naming the account: the identity policy must allow',
    principal: USER,
    policies: { identity: [], resource: [resourcePolicy('Allow', { AWS: ACCOUNT }, 'trust')] },
    expected: missing('identity-based policy'),
    source: 'Principal: account principals delegate to the account',
  },
  {
    name: 'trust policy not naming the user: an identity Allow is not enough',
    principal: USER,
    policies: {
      identity: [identity('Allow', 'sts:AssumeRole')],
      resource: [resourcePolicy('Allow', { AWS: ROLE_ARN }, 'trust')],
    },
    expected: missing('role trust policy'),
    source:
      'EVAL: "IAM role trust policies and KMS key policies are exceptions to this logic, because they must explicitly allow access for principals"',
  },
];

describe('evaluate: AWS policy evaluation within one account', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const action = c.policies.resource?.some((p) => p.kind === 'trust') ? 'sts:AssumeRole' : ACTION;
      assert.deepEqual(decide(c.principal, c.policies, action), c.expected, c.source);
    });
  }

  it('lets a service named in a trust policy assume the role, and no one else by that name', () => {
    const trust = resourcePolicy('Allow', { Service: 'ecs-tasks.amazonaws.com' }, 'trust');
    const ask = (service: string) =>
      evaluate(
        { action: 'sts:AssumeRole', resource: ROLE_ARN, principal: ROOT, context: {}, servicePrincipal: service },
        { identity: [], resource: [trust] },
      );
    assert.deepEqual(ask('ecs-tasks.amazonaws.com'), ALLOWED);
    assert.deepEqual(ask('lambda.amazonaws.com'), missing('role trust policy'));
    assert.deepEqual(
      decide(USER, { identity: [allow], resource: [trust] }, 'sts:AssumeRole'),
      missing('role trust policy'),
    );
  });

  it('denies with NotPrincipal every caller not listed, and every caller with a boundary', () => {
    // BOUNDS: "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary policy attached"
    const policy = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Deny', NotPrincipal: { AWS: [USER.arn, ACCOUNT] }, Action: '*' },
      }),
      'resource',
    );
    assert.deepEqual(decide(USER, { identity: [allow], resource: [policy] }), ALLOWED);
    assert.deepEqual(decide(SESSION, { identity: [allow], resource: [policy] }), explicit('resource-based policy'));
    assert.deepEqual(
      decide(USER, { identity: [allow], boundary: [allow], resource: [policy] }),
      explicit('resource-based policy'),
    );
    // Listing the user without its account leaves the account denied (NotPrincipal: "you must also specify the account ARN").
    const userOnly = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Deny', NotPrincipal: { AWS: USER.arn }, Action: '*' },
      }),
      'resource',
    );
    assert.deepEqual(decide(USER, { identity: [allow], resource: [userOnly] }), explicit('resource-based policy'));
  });
});

describe('denialMessage', () => {
  const resource = TASK_DEFINITION;
  // "Troubleshooting access denied error messages": "with an explicit deny in a TYPE policy" / "because no TYPE policy allows the ACTION action".
  const cases: readonly [Decision, string][] = [
    [missing('identity-based policy'), 'because no identity-based policy allows the ecs:RunTask action'],
    [missing('permissions boundary'), 'because no permissions boundary allows the ecs:RunTask action'],
    [missing('session policy'), 'because no session policy allows the ecs:RunTask action'],
    [missing('resource-based policy'), 'because no resource-based policy allows the ecs:RunTask action'],
    [missing('role trust policy'), 'because no role trust policy allows the ecs:RunTask action'],
    [explicit('identity-based policy'), 'with an explicit deny in an identity-based policy'],
    [explicit('resource-based policy'), 'with an explicit deny in a resource-based policy'],
    [explicit('permissions boundary'), 'with an explicit deny in a permissions boundary'],
    [explicit('session policy'), 'with an explicit deny in a session policy'],
    [explicit('role trust policy'), 'with an explicit deny in the role trust policy'],
  ];
  for (const [decision, tail] of cases) {
    it(tail, () => {
      assert.equal(
        denialMessage(USER.arn, ACTION, resource, decision),
        `User: arn:aws:iam::000000000000:user/ci is not authorized to perform: ecs:RunTask on resource: ${resource} ${tail}`,
      );
    });
  }
});
