import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import {
  ACCOUNT,
  cliAs,
  cliPolicy,
  cliUser,
  explicitlyDenied,
  notAllowed,
  policyDocument,
  type Cli,
} from '../../testing/iam-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Issue #17's matrix, part two: condition keys (aws:RequestTag, aws:TagKeys, aws:ResourceTag,
 * ecr:ResourceTag, aws:SourceIp), a Deny beating an Allow, NotAction, a permissions boundary over
 * AdministratorAccess, a group's policy reaching its members, and ${aws:username} in a resource;
 * users, groups and policies made with the AWS CLI v2, and simulate-principal-policy checked
 * against what the real calls answered.
 */

const REGION = 'us-east-1';
const ecs = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
const ecr = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

describe('IAM enforcement: conditions and policy kinds', { skip: awsCliSkipReason(), timeout: 300_000 }, () => {
  let server: TestServer;
  let root: Cli;

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    root = cliAs(server, server.credentials);
  });
  after(() => server?.stop());

  /** A user made with the CLI whose one inline policy holds the statements. */
  async function userWith(name: string, ...statements: object[]) {
    const made = await cliUser(server, root, name);
    const document = policyDocument(...statements);
    await root.json(
      'iam',
      'put-user-policy',
      '--user-name',
      name,
      '--policy-name',
      'inline',
      '--policy-document',
      document,
    );
    return made;
  }

  async function simulated(arn: string, action: string, resource: string): Promise<string | undefined> {
    const { EvaluationResults } = await root.json<{ EvaluationResults: { EvalDecision: string }[] }>(
      'iam',
      'simulate-principal-policy',
      '--policy-source-arn',
      arn,
      '--action-names',
      action,
      '--resource-arns',
      resource,
    );
    return EvaluationResults[0]?.EvalDecision;
  }

  it('aws:RequestTag and aws:TagKeys decide a CreateCluster with tags', async () => {
    const tagger = await userWith(
      'tagger',
      {
        Effect: 'Allow',
        Action: 'ecs:CreateCluster',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:RequestTag/team': 'web' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center'] },
        },
      },
      // A create that tags is also ecs:TagResource, with ecs:CreateAction naming the create.
      {
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: '*',
        Condition: { StringEquals: { 'ecs:CreateAction': 'CreateCluster' } },
      },
    );
    const create = (name: string, ...tags: string[]) =>
      ['ecs', 'create-cluster', '--cluster-name', name, ...(tags.length ? ['--tags', ...tags] : [])] as const;
    await tagger.json(...create('web-a', 'key=team,value=web'));
    await tagger.json(...create('web-b', 'key=team,value=web', 'key=cost-center,value=42'));
    const refused = notAllowed(user('tagger'), 'ecs:CreateCluster', ecs('cluster/web-c'));
    assert.equal(await tagger.denied(...create('web-c', 'key=team,value=ops')), refused);
    assert.equal(await tagger.denied(...create('web-c', 'key=team,value=web', 'key=owner,value=me')), refused);
    assert.equal(await tagger.denied(...create('web-c')), refused);
    // Tagging outside a create is not allowed.
    assert.equal(
      await tagger.denied('ecs', 'tag-resource', '--resource-arn', ecs('cluster/web-a'), '--tags', 'key=a,value=b'),
      notAllowed(user('tagger'), 'ecs:TagResource', ecs('cluster/web-a')),
    );
  });

  it('aws:ResourceTag on a cluster and ecr:ResourceTag on a repository', async () => {
    await root.json('ecs', 'create-cluster', '--cluster-name', 'tagged', '--tags', 'key=team,value=web');
    await root.json('ecs', 'create-cluster', '--cluster-name', 'untagged');
    await root.json('ecr', 'create-repository', '--repository-name', 'tagged', '--tags', 'Key=team,Value=web');
    await root.json('ecr', 'create-repository', '--repository-name', 'untagged');
    const reader = await userWith(
      'web-reader',
      {
        Effect: 'Allow',
        Action: 'ecs:DescribeClusters',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } },
      },
      {
        Effect: 'Allow',
        Action: 'ecr:ListImages',
        Resource: '*',
        Condition: { StringEquals: { 'ecr:ResourceTag/team': 'web' } },
      },
    );
    await reader.json('ecs', 'describe-clusters', '--clusters', 'tagged');
    assert.equal(
      await reader.denied('ecs', 'describe-clusters', '--clusters', 'untagged'),
      notAllowed(user('web-reader'), 'ecs:DescribeClusters', ecs('cluster/untagged')),
    );
    await reader.json('ecr', 'list-images', '--repository-name', 'tagged');
    assert.equal(
      await reader.denied('ecr', 'list-images', '--repository-name', 'untagged'),
      notAllowed(user('web-reader'), 'ecr:ListImages', ecr('untagged')),
    );
    // A tag changed by the root changes the answer at once.
    await root.json('ecs', 'tag-resource', '--resource-arn', ecs('cluster/untagged'), '--tags', 'key=team,value=web');
    await reader.json('ecs', 'describe-clusters', '--clusters', 'untagged');
  });

  it('aws:SourceIp: 127.0.0.1/32 matches the caller, 10.0.0.0/8 does not', async () => {
    const local = await userWith(
      'local',
      {
        Effect: 'Allow',
        Action: 'ecs:ListClusters',
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1/32' } },
      },
      {
        Effect: 'Allow',
        Action: 'ecs:ListTaskDefinitions',
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
      {
        Effect: 'Deny',
        Action: 'ecs:ListTaskDefinitionFamilies',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    );
    await local.json('ecs', 'list-clusters');
    assert.equal(
      await local.denied('ecs', 'list-task-definitions'),
      notAllowed(user('local'), 'ecs:ListTaskDefinitions', '*'),
    );
    assert.equal(
      await local.denied('ecs', 'list-task-definition-families'),
      explicitlyDenied(user('local'), 'ecs:ListTaskDefinitionFamilies', '*'),
    );
  });

  it('an explicit Deny beats an Allow, and the simulation says explicitDeny', async () => {
    const ops = await userWith(
      'ops',
      { Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ecs:DeleteCluster', Resource: ecs('cluster/prod-*') },
    );
    await ops.json('ecs', 'create-cluster', '--cluster-name', 'prod-db');
    await ops.json('ecs', 'create-cluster', '--cluster-name', 'test-db');
    assert.equal(
      await ops.denied('ecs', 'delete-cluster', '--cluster', 'prod-db'),
      explicitlyDenied(user('ops'), 'ecs:DeleteCluster', ecs('cluster/prod-db')),
    );
    await ops.json('ecs', 'delete-cluster', '--cluster', 'test-db');
    assert.equal(await simulated(ops.arn, 'ecs:DeleteCluster', ecs('cluster/prod-db')), 'explicitDeny');
    assert.equal(await simulated(ops.arn, 'ecs:DeleteCluster', ecs('cluster/test-db')), 'allowed');
  });

  it('NotAction allows everything but the actions it names', async () => {
    const most = await userWith('most', { Effect: 'Allow', NotAction: ['ecs:Delete*', 'ecr:*'], Resource: '*' });
    await most.json('ecs', 'create-cluster', '--cluster-name', 'kept');
    await most.json('logs', 'describe-log-groups');
    assert.equal(
      await most.denied('ecs', 'delete-cluster', '--cluster', 'kept'),
      notAllowed(user('most'), 'ecs:DeleteCluster', ecs('cluster/kept')),
    );
    assert.equal(
      await most.denied('ecr', 'describe-repositories'),
      notAllowed(user('most'), 'ecr:DescribeRepositories', ecr('*')),
    );
    assert.equal(await simulated(most.arn, 'ecs:DeleteCluster', ecs('cluster/kept')), 'implicitDeny');
    assert.equal(await simulated(most.arn, 'logs:DescribeLogGroups', '*'), 'allowed');
  });

  it('a permissions boundary limits an attached AdministratorAccess', async () => {
    const boundary = await cliPolicy(
      root,
      'read-only-boundary',
      policyDocument({ Effect: 'Allow', Action: ['ecs:List*', 'ecs:Describe*'], Resource: '*' }),
    );
    const admin = await cliUser(server, root, 'bounded-admin', {
      managed: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      boundary,
    });
    await admin.json('ecs', 'list-clusters');
    assert.equal(
      await admin.denied('ecs', 'create-cluster', '--cluster-name', 'x'),
      notAllowed(user('bounded-admin'), 'ecs:CreateCluster', ecs('cluster/x'), 'permissions boundary'),
    );
    assert.equal(await simulated(admin.arn, 'ecs:CreateCluster', ecs('cluster/x')), 'implicitDeny');
    // Without the boundary the same user may.
    await root.json('iam', 'delete-user-permissions-boundary', '--user-name', 'bounded-admin');
    await admin.json('ecs', 'create-cluster', '--cluster-name', 'x');
  });

  it("a group's policies reach its members, and stop when they leave", async () => {
    await root.json('iam', 'create-group', '--group-name', 'readers');
    const document = policyDocument({ Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*' });
    await root.json(
      'iam',
      'put-group-policy',
      '--group-name',
      'readers',
      '--policy-name',
      'ecr',
      '--policy-document',
      document,
    );
    const member = await cliUser(server, root, 'member');
    const refusal = notAllowed(user('member'), 'ecr:DescribeRepositories', ecr('*'));
    assert.equal(await member.denied('ecr', 'describe-repositories'), refusal);
    await root.json('iam', 'add-user-to-group', '--group-name', 'readers', '--user-name', 'member');
    await member.json('ecr', 'describe-repositories');
    assert.equal(await simulated(member.arn, 'ecr:DescribeRepositories', '*'), 'allowed');
    await root.json('iam', 'remove-user-from-group', '--group-name', 'readers', '--user-name', 'member');
    assert.equal(await member.denied('ecr', 'describe-repositories'), refusal);
  });

  it('${aws:username} in a resource gives each user their own log groups and repositories', async () => {
    const home = await cliPolicy(
      root,
      'home',
      policyDocument({
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'ecr:CreateRepository'],
        Resource: [
          `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/home/\${aws:username}/*`,
          `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/\${aws:username}/*`,
        ],
      }),
    );
    const alice = await cliUser(server, root, 'alice', { managed: [home] });
    await alice.json('logs', 'create-log-group', '--log-group-name', '/home/alice/app');
    await alice.json('ecr', 'create-repository', '--repository-name', 'alice/web');
    assert.equal(
      await alice.denied('logs', 'create-log-group', '--log-group-name', '/home/bob/app'),
      notAllowed(user('alice'), 'logs:CreateLogGroup', logGroup('/home/bob/app')),
    );
    assert.equal(
      await alice.denied('ecr', 'create-repository', '--repository-name', 'bob/web'),
      notAllowed(user('alice'), 'ecr:CreateRepository', ecr('bob/web')),
    );
    assert.equal(await simulated(alice.arn, 'logs:CreateLogGroup', logGroup('/home/alice/x')), 'allowed');
    assert.equal(await simulated(alice.arn, 'logs:CreateLogGroup', logGroup('/home/bob/x')), 'implicitDeny');
  });
});
