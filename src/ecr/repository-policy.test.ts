import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, type Policy } from '../iam/index.ts';
import { rootPrincipal, userPrincipal } from '../shared/principal.ts';
import { parseRegistryPolicy, parseRepositoryPolicy, PolicyGrammarError } from './repository-policy.ts';

type Verdict = 'allow' | 'deny' | 'no-match';
const REPOSITORY = 'arn:aws:ecr:us-east-1:000000000000:repository/app';

/** What a resource policy makes of a request by a caller without identity policies. */
function judge(policy: Policy | undefined, arn: string, root: boolean, action: string, resource = REPOSITORY): Verdict {
  const principal = root
    ? rootPrincipal('000000000000')
    : userPrincipal({ arn, userId: 'AIDA' + arn.length, name: arn.slice(arn.lastIndexOf('/') + 1) });
  const decision = evaluate(
    { action, resource, principal, context: {} },
    { identity: [], ...(policy ? { resource: [policy] } : {}) },
  );
  return decision.allowed ? 'allow' : decision.explicit ? 'deny' : 'no-match';
}

const BOB = 'arn:aws:iam::000000000000:user/bob';
const ALICE = 'arn:aws:iam::000000000000:user/alice';
const ROOT = 'arn:aws:iam::000000000000:root';
const policy = (...Statement: object[]) =>
  parseRepositoryPolicy(JSON.stringify({ Version: '2012-10-17', Statement }), REPOSITORY);

describe('repository policy evaluation', () => {
  const pull = {
    Sid: 'pull',
    Effect: 'Allow',
    Principal: { AWS: BOB },
    Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  };
  const cases: [string, ReturnType<typeof policy> | undefined, string, boolean, string, Verdict][] = [
    ['no policy, a user', undefined, BOB, false, 'ecr:BatchGetImage', 'no-match'],
    ['an Allow for the user and action', policy(pull), BOB, false, 'ecr:BatchGetImage', 'allow'],
    ['an Allow for another action', policy(pull), BOB, false, 'ecr:PutImage', 'no-match'],
    ['an Allow for another user', policy(pull), ALICE, false, 'ecr:BatchGetImage', 'no-match'],
    ['a wildcard action', policy({ ...pull, Action: 'ecr:Batch*' }), BOB, false, 'ecr:BatchGetImage', 'allow'],
    [
      'action names are case-insensitive',
      policy({ ...pull, Action: 'ECR:batchgetimage' }),
      BOB,
      false,
      'ecr:BatchGetImage',
      'allow',
    ],
    ['Principal *', policy({ ...pull, Principal: '*' }), ALICE, false, 'ecr:BatchGetImage', 'allow'],
    [
      'NotAction',
      policy({ Effect: 'Allow', Principal: '*', NotAction: 'ecr:Delete*' }),
      BOB,
      false,
      'ecr:PutImage',
      'allow',
    ],
    [
      'a Deny beats an Allow',
      policy(pull, { Effect: 'Deny', Principal: { AWS: [BOB] }, Action: 'ecr:*' }),
      BOB,
      false,
      'ecr:BatchGetImage',
      'deny',
    ],
    [
      'a Deny applies to the root too',
      policy({ Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' }),
      ROOT,
      true,
      'ecr:DeleteRepository',
      'deny',
    ],
    [
      'the account id names the root',
      policy({ ...pull, Principal: { AWS: '000000000000' } }),
      ROOT,
      true,
      'ecr:BatchGetImage',
      'allow',
    ],
  ];
  for (const [what, p, arn, root, action, decision] of cases) {
    it(`${what}: ${decision}`, () => {
      // The root may do anything not explicitly denied; anyone else needs an Allow.
      assert.equal(judge(p, arn, root, action), decision);
    });
  }
});

describe('parseRepositoryPolicy', () => {
  const base = { Effect: 'Allow', Principal: '*', Action: 'ecr:*' };
  const invalid: [string, unknown][] = [
    ['an unknown Version', { Version: '2020-01-01', Statement: [base] }],
    ['no Statement', { Version: '2012-10-17' }],
    ['another Effect', { Version: '2012-10-17', Statement: [{ ...base, Effect: 'Maybe' }] }],
    ['no Principal', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] }],
    ['a bad principal ARN', { Version: '2012-10-17', Statement: [{ ...base, Principal: { AWS: 'bob' } }] }],
    ['a non-ECR action', { Version: '2012-10-17', Statement: [{ ...base, Action: 's3:GetObject' }] }],
    ['Action and NotAction', { Version: '2012-10-17', Statement: [{ ...base, NotAction: 'ecr:PutImage' }] }],
  ];
  for (const [what, body] of invalid) {
    it(`refuses ${what}`, () =>
      assert.throws(() => parseRepositoryPolicy(JSON.stringify(body), REPOSITORY), PolicyGrammarError));
  }
  it('accepts a single Statement object', () => {
    const text = JSON.stringify({ Version: '2008-10-17', Statement: base });
    assert.equal(parseRepositoryPolicy(text, REPOSITORY).statements.length, 1);
  });
  it('accepts service principals and conditions, which the evaluator enforces', () => {
    const statement = {
      ...base,
      Principal: { Service: 'codebuild.amazonaws.com' },
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    };
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    assert.equal(parseRepositoryPolicy(text, REPOSITORY).statements.length, 1);
  });
});

describe('registry policies', () => {
  const REPO = 'arn:aws:ecr:us-east-1:000000000000:repository/team/app';
  const registryPolicy = (...Statement: object[]) =>
    parseRegistryPolicy(JSON.stringify({ Version: '2012-10-17', Statement }));
  const pull = { Effect: 'Allow', Principal: { AWS: BOB }, Action: 'ecr:BatchGetImage' };

  const cases: [string, object, string, Verdict][] = [
    ['Resource * covers every repository', { ...pull, Resource: '*' }, REPO, 'allow'],
    ['Resource * covers the registry-wide calls', { ...pull, Resource: '*' }, '*', 'allow'],
    [
      'a repository wildcard covers the repositories it matches',
      { ...pull, Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/team/*' },
      REPO,
      'allow',
    ],
    [
      'and not the others',
      { ...pull, Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/other/*' },
      REPO,
      'no-match',
    ],
    [
      'a repository ARN does not cover a registry-wide call',
      { ...pull, Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/*' },
      '*',
      'no-match',
    ],
    [
      'ARNs are case-sensitive',
      { ...pull, Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/TEAM/*' },
      REPO,
      'no-match',
    ],
    [
      '? stands for one character',
      { ...pull, Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/team/ap?' },
      REPO,
      'allow',
    ],
    [
      'a Deny on matching resources',
      { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Resource: ['arn:aws:ecr:*:*:repository/team/*'] },
      REPO,
      'deny',
    ],
  ];
  for (const [what, statement, resource, decision] of cases) {
    it(`${what}: ${decision}`, () => {
      assert.equal(judge(registryPolicy(statement), BOB, false, 'ecr:BatchGetImage', resource), decision);
    });
  }

  const invalid: [string, object][] = [
    ['no Resource', pull],
    ['a NotResource', { ...pull, NotResource: '*' }],
    ['a resource that is not an ECR ARN', { ...pull, Resource: 'arn:aws:s3:::bucket' }],
    ['a non-ECR action', { ...pull, Action: 'iam:CreateUser', Resource: '*' }],
  ];
  for (const [what, statement] of invalid) {
    it(`refuses ${what}`, () =>
      assert.throws(
        () => parseRegistryPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [statement] })),
        PolicyGrammarError,
      ));
  }

  it("accepts AWS's cross-account replication example", () => {
    const example = {
      Sid: 'ReplicationAccessCrossAccount',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::210987654321:root' },
      Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
      Resource: 'arn:aws:ecr:us-west-2:000000000000:repository/*',
    };
    assert.equal(registryPolicy(example).statements[0]!.resources?.length, 1);
  });
});
