import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { ACCOUNT, cliAs, cliUser, notAllowed, policyDocument, type Cli, type CliKeys } from '../../testing/iam-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import type { Clock } from '../../src/shared/clock.ts';

/**
 * Issue #17's test of role sessions with the AWS CLI v2: a role whose trust policy lets a user
 * assume it, the session's credentials on ECS within the role's policy and a session policy, and
 * the session expiring (the server's clock runs ahead: no waiting). Then iam:PassRole for a task
 * definition's role, and a caller holding AmazonEC2ContainerServiceforEC2Role doing what the ECS
 * agent does.
 */

class AheadClock implements Clock {
  aheadMs = 0;
  now(): Date {
    return new Date(Date.now() + this.aheadMs);
  }
}

const REGION = 'us-east-1';
const ecs = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

describe('IAM enforcement: role sessions, PassRole, the agent', { skip: awsCliSkipReason(), timeout: 300_000 }, () => {
  let server: TestServer;
  let root: Cli;
  const clock = new AheadClock();

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { clock });
    root = cliAs(server, server.credentials);
  });
  after(() => server?.stop());

  async function createRole(name: string, trusted: string, ...statements: object[]) {
    const trust = policyDocument({ Effect: 'Allow', Principal: { AWS: trusted }, Action: 'sts:AssumeRole' });
    await root.json('iam', 'create-role', '--role-name', name, '--assume-role-policy-document', trust);
    if (statements.length > 0) {
      const document = policyDocument(...statements);
      await root.json(
        'iam',
        'put-role-policy',
        '--role-name',
        name,
        '--policy-name',
        'inline',
        '--policy-document',
        document,
      );
    }
  }

  async function putUserPolicy(name: string, ...statements: object[]) {
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
  }

  async function assume(caller: Cli, roleName: string, session: string, ...args: string[]): Promise<Cli> {
    const { Credentials } = await caller.json<{
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    }>('sts', 'assume-role', '--role-arn', role(roleName), '--role-session-name', session, ...args);
    const keys: CliKeys = {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
    };
    return cliAs(server, keys);
  }

  it('a user assumes a role its trust policy allows, and acts within the role policy and the session policy', async () => {
    // The trust policy trusts the account: the user also needs sts:AssumeRole of its own.
    await createRole('deployer', `arn:aws:iam::${ACCOUNT}:root`, {
      Effect: 'Allow',
      Action: ['ecs:ListClusters', 'ecs:CreateCluster'],
      Resource: '*',
    });
    const dev = await cliUser(server, root, 'dev');
    const args = ['sts', 'assume-role', '--role-arn', role('deployer'), '--role-session-name', 'ci'] as const;
    assert.equal(await dev.denied(...args), notAllowed(user('dev'), 'sts:AssumeRole', role('deployer')));
    await putUserPolicy('dev', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role('deployer') });

    const session = await assume(dev, 'deployer', 'ci');
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`;
    const identity = await session.json<{ Arn: string; UserId: string }>('sts', 'get-caller-identity');
    assert.equal(identity.Arn, sessionArn);
    assert.match(identity.UserId, /^AROA[A-Z0-9]+:ci$/);
    await session.json('ecs', 'create-cluster', '--cluster-name', 'from-session');
    await session.json('ecs', 'list-clusters');
    assert.equal(
      await session.denied('ecs', 'delete-cluster', '--cluster', 'from-session'),
      notAllowed(sessionArn, 'ecs:DeleteCluster', ecs('cluster/from-session')),
    );
    // The user's own permissions do not come with the session.
    assert.equal(
      await session.denied('sts', 'assume-role', '--role-arn', role('deployer'), '--role-session-name', 'again'),
      notAllowed(sessionArn, 'sts:AssumeRole', role('deployer')),
    );

    // A session policy narrows the session to what both allow.
    const narrow = await assume(
      dev,
      'deployer',
      'narrow',
      '--policy',
      policyDocument({ Effect: 'Allow', Action: 'ecs:List*', Resource: '*' }),
    );
    await narrow.json('ecs', 'list-clusters');
    assert.equal(
      await narrow.denied('ecs', 'create-cluster', '--cluster-name', 'narrow'),
      notAllowed(
        `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/narrow`,
        'ecs:CreateCluster',
        ecs('cluster/narrow'),
        'session policy',
      ),
    );
  });

  it('a trust policy naming the user is enough on its own (same account)', async () => {
    await createRole('named', user('named-user'), { Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' });
    const named = await cliUser(server, root, 'named-user');
    const session = await assume(named, 'named', 's1');
    await session.json('ecs', 'list-clusters');
    const other = await cliUser(server, root, 'other-user');
    // Neither its identity nor the trust policy allows it; which one the message names is not
    // something AWS documents for STS.
    assert.ok(
      (await other.denied('sts', 'assume-role', '--role-arn', role('named'), '--role-session-name', 's1')).startsWith(
        `User: ${user('other-user')} is not authorized to perform: sts:AssumeRole on resource: ${role('named')}`,
      ),
    );
  });

  it('the session expires: ExpiredTokenException on ECS, ExpiredToken on STS', async () => {
    await createRole('short', `arn:aws:iam::${ACCOUNT}:root`, { Effect: 'Allow', Action: 'ecs:*', Resource: '*' });
    const dev = await cliUser(server, root, 'short-user');
    await putUserPolicy('short-user', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role('short') });
    const session = await assume(dev, 'short', 'brief', '--duration-seconds', '900');
    await session.json('ecs', 'list-clusters');
    try {
      clock.aheadMs = 901_000; // the session's 900 s are over
      const expired = await session.run('ecs', 'list-clusters');
      assert.match(expired.stderr, /\(ExpiredTokenException\).*The security token included in the request is expired/);
      const sts = await session.run('sts', 'get-caller-identity');
      assert.match(sts.stderr, /\(ExpiredToken\).*The security token included in the request is expired/);
    } finally {
      clock.aheadMs = 0;
    }
  });

  it('iam:PassRole: a task definition with a task role needs PassRole on that role', async () => {
    await createRole('app', `arn:aws:iam::${ACCOUNT}:root`);
    const deployer = await cliUser(server, root, 'passer');
    await putUserPolicy('passer', { Effect: 'Allow', Action: 'ecs:RegisterTaskDefinition', Resource: '*' });
    const containers = JSON.stringify([{ name: 'app', image: 'busybox', memory: 64 }]);
    const register = [
      'ecs',
      'register-task-definition',
      '--family',
      'app',
      '--container-definitions',
      containers,
    ] as const;
    await deployer.json(...register);
    assert.equal(
      await deployer.denied(...register, '--task-role-arn', role('app')),
      notAllowed(user('passer'), 'iam:PassRole', role('app')),
    );
    // PassRole with iam:PassedToService, as AWS's examples write it.
    await putUserPolicy(
      'passer',
      { Effect: 'Allow', Action: 'ecs:RegisterTaskDefinition', Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: role('app'),
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    );
    const { taskDefinition } = await deployer.json<{ taskDefinition: { taskRoleArn: string } }>(
      ...register,
      '--task-role-arn',
      role('app'),
    );
    assert.equal(taskDefinition.taskRoleArn, role('app'));
    assert.equal(
      await deployer.denied(...register, '--task-role-arn', role('other')),
      notAllowed(user('passer'), 'iam:PassRole', role('other')),
    );
    // Running that definition passes its role too: RunTask alone is not enough.
    await root.json('ecs', 'create-cluster', '--cluster-name', 'runs');
    const runner = await cliUser(server, root, 'runner');
    await putUserPolicy('runner', { Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*' });
    const run = ['ecs', 'run-task', '--cluster', 'runs', '--task-definition', 'app:2', '--launch-type', 'EC2'] as const;
    assert.equal(await runner.denied(...run), notAllowed(user('runner'), 'iam:PassRole', role('app')));
    await putUserPolicy(
      'runner',
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: role('app') },
    );
    assert.match((await runner.run(...run)).stderr, /\(InvalidParameterException\).*No Container Instances/);
  });

  it('a user holding AmazonEC2ContainerServiceforEC2Role calls what the ECS agent calls, and no more', async () => {
    await root.json('ecs', 'create-cluster', '--cluster-name', 'hosts');
    await root.json('logs', 'create-log-group', '--log-group-name', '/ecs/web');
    const agent = await cliUser(server, root, 'agent', {
      managed: ['arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role'],
    });
    await agent.json('ecs', 'discover-poll-endpoint');
    const { containerInstance } = await agent.json<{ containerInstance: { containerInstanceArn: string } }>(
      'ecs',
      'register-container-instance',
      '--cluster',
      'hosts',
      '--instance-identity-document',
      JSON.stringify({ instanceId: 'i-0123456789abcdef0', availabilityZone: 'us-east-1a', instanceType: 'm5.large' }),
      '--total-resources',
      JSON.stringify([
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 3840 },
      ]),
    );
    assert.match(containerInstance.containerInstanceArn, /:container-instance\/hosts\//);
    assert.ok((await agent.run('ecr', 'get-login-password')).stdout.trim().length > 0);
    await agent.json('logs', 'create-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/app/1');
    const events = JSON.stringify([{ timestamp: Date.now(), message: 'from the agent' }]);
    await agent.json(
      'logs',
      'put-log-events',
      '--log-group-name',
      '/ecs/web',
      '--log-stream-name',
      'ecs/app/1',
      '--log-events',
      events,
    );
    // Not what an instance role is for.
    assert.equal(
      await agent.denied('ecs', 'run-task', '--cluster', 'hosts', '--task-definition', 'app:1'),
      notAllowed(user('agent'), 'ecs:RunTask', ecs('task-definition/app:1')),
    );
    assert.equal(
      await agent.denied('logs', 'delete-log-group', '--log-group-name', '/ecs/web'),
      notAllowed(user('agent'), 'logs:DeleteLogGroup', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/web`),
    );
  });
});
