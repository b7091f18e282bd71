import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { ACCOUNT, cliAs, cliPolicy, cliUser, notAllowed, policyDocument, type Cli } from '../../testing/iam-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Issue #17's test: with the AWS CLI v2, the root makes a user, a customer managed policy and a
 * key; then, as that user, an allowed/denied matrix across ECS, ECR, CloudWatch Logs, ELBv2 and
 * S3, each denial worded as AWS words it, and simulate-principal-policy deciding as the real call.
 */

const REGION = 'us-east-1';
const ecs = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
const ecr = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;

const DEVELOPER = policyDocument(
  { Effect: 'Allow', Action: ['ecs:ListClusters', 'ecs:DescribeClusters'], Resource: ecs('cluster/dev-*') },
  {
    Effect: 'Allow',
    Action: 'ecs:RunTask',
    Resource: '*',
    Condition: { ArnEquals: { 'ecs:cluster': ecs('cluster/dev-web') } },
  },
  {
    Effect: 'Allow',
    Action: ['ecr:CreateRepository', 'ecr:DescribeRepositories', 'ecr:ListImages'],
    Resource: ecr('team-*'),
  },
  {
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/*`,
  },
  { Effect: 'Allow', Action: 'elasticloadbalancing:Describe*', Resource: '*' },
  { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::config/web/*' },
);

const CONTAINERS = JSON.stringify([{ name: 'app', image: 'busybox', memory: 64, essential: true }]);

describe(
  'IAM enforcement: a user of the AWS CLI across the services',
  { skip: awsCliSkipReason(), timeout: 300_000 },
  () => {
    let server: TestServer;
    let root: Cli;
    let dev: Cli & { arn: string };
    const denied = (action: string, resource: string) =>
      notAllowed(`arn:aws:iam::${ACCOUNT}:user/dev`, action, resource);

    const folder = mkdtempSync(join(tmpdir(), 'berth-iam-'));
    const body = join(folder, 'app.env');

    before(async () => {
      server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
      root = cliAs(server, server.credentials);
      const policy = await cliPolicy(root, 'developer', DEVELOPER);
      dev = await cliUser(server, root, 'dev', { managed: [policy] });
      await root.json('ecs', 'create-cluster', '--cluster-name', 'dev-web');
      await root.json('ecs', 'create-cluster', '--cluster-name', 'prod-web');
      await root.json('ecs', 'register-task-definition', '--family', 'web', '--container-definitions', CONTAINERS);
      await root.json('logs', 'create-log-group', '--log-group-name', '/ops/audit');
      await root.json('s3api', 'create-bucket', '--bucket', 'config');
      writeFileSync(body, 'GREETING=hello\n');
      for (const key of ['web/app.env', 'db/app.env'])
        await root.json('s3api', 'put-object', '--bucket', 'config', '--key', key, '--body', body);
    });
    after(async () => {
      await server?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('the user, its policy and its key are what the CLI reads back', async () => {
      const { Arn } = await dev.json<{ Arn: string }>('sts', 'get-caller-identity');
      assert.equal(Arn, `arn:aws:iam::${ACCOUNT}:user/dev`);
      const attached = await root.json<{ AttachedPolicies: { PolicyName: string }[] }>(
        'iam',
        'list-attached-user-policies',
        '--user-name',
        'dev',
      );
      assert.deepEqual(
        attached.AttachedPolicies.map((p) => p.PolicyName),
        ['developer'],
      );
    });

    it('ECS: DescribeClusters on dev-* only, ListClusters (no resource) not, RunTask on the dev-web cluster', async () => {
      const { clusters } = await dev.json<{ clusters: { clusterName: string }[] }>(
        'ecs',
        'describe-clusters',
        '--clusters',
        'dev-web',
      );
      assert.deepEqual(
        clusters.map((c) => c.clusterName),
        ['dev-web'],
      );
      assert.equal(
        await dev.denied('ecs', 'describe-clusters', '--clusters', 'prod-web'),
        denied('ecs:DescribeClusters', ecs('cluster/prod-web')),
      );
      // ListClusters takes no resource: a statement on cluster/dev-* does not allow it (resource "*").
      assert.equal(await dev.denied('ecs', 'list-clusters'), denied('ecs:ListClusters', '*'));

      const run = (cluster: string) =>
        ['ecs', 'run-task', '--cluster', cluster, '--task-definition', 'web:1', '--launch-type', 'EC2'] as const;
      // Allowed: the operation itself answers (the cluster has no container instance).
      const ran = await dev.run(...run('dev-web'));
      assert.match(ran.stderr, /\(InvalidParameterException\).*No Container Instances were found in your cluster/);
      assert.equal(await dev.denied(...run('prod-web')), denied('ecs:RunTask', ecs('task-definition/web:1')));
      assert.equal(
        await dev.denied('ecs', 'create-cluster', '--cluster-name', 'dev-new'),
        denied('ecs:CreateCluster', ecs('cluster/dev-new')),
      );
    });

    it('ECR: repositories team-* only', async () => {
      await dev.json('ecr', 'create-repository', '--repository-name', 'team-web');
      const { repositories } = await dev.json<{ repositories: { repositoryName: string }[] }>(
        'ecr',
        'describe-repositories',
        '--repository-names',
        'team-web',
      );
      assert.equal(repositories[0]?.repositoryName, 'team-web');
      await dev.json('ecr', 'list-images', '--repository-name', 'team-web');
      assert.equal(
        await dev.denied('ecr', 'create-repository', '--repository-name', 'ops'),
        denied('ecr:CreateRepository', ecr('ops')),
      );
      assert.equal(
        await dev.denied('ecr', 'delete-repository', '--repository-name', 'team-web'),
        denied('ecr:DeleteRepository', ecr('team-web')),
      );
      assert.equal(await dev.denied('ecr', 'get-login-password'), denied('ecr:GetAuthorizationToken', '*'));
    });

    it('CloudWatch Logs: log groups under /app/ only', async () => {
      await dev.json('logs', 'create-log-group', '--log-group-name', '/app/web');
      await dev.json('logs', 'create-log-stream', '--log-group-name', '/app/web', '--log-stream-name', 's1');
      const events = JSON.stringify([{ timestamp: Date.now(), message: 'hello' }]);
      await dev.json(
        'logs',
        'put-log-events',
        '--log-group-name',
        '/app/web',
        '--log-stream-name',
        's1',
        '--log-events',
        events,
      );
      await dev.json('logs', 'describe-log-streams', '--log-group-name', '/app/web');
      assert.equal(
        await dev.denied('logs', 'create-log-stream', '--log-group-name', '/ops/audit', '--log-stream-name', 's1'),
        denied('logs:CreateLogStream', `${logGroup('/ops/audit')}:log-stream:s1`),
      );
      assert.equal(
        await dev.denied('logs', 'delete-log-group', '--log-group-name', '/app/web'),
        denied('logs:DeleteLogGroup', logGroup('/app/web')),
      );
      assert.equal(await dev.denied('logs', 'describe-log-groups'), denied('logs:DescribeLogGroups', '*'));
    });

    it('ELBv2: Describe* and nothing else', async () => {
      await dev.json('elbv2', 'describe-load-balancers');
      await dev.json('elbv2', 'describe-target-groups');
      const message = await dev.denied('elbv2', 'create-load-balancer', '--name', 'web', '--subnets', 'subnet-1');
      assert.match(
        message,
        /^User: arn:aws:iam::000000000000:user\/dev is not authorized to perform: elasticloadbalancing:CreateLoadBalancer on resource: arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web\/\S+ because no identity-based policy allows the elasticloadbalancing:CreateLoadBalancer action$/,
      );
    });

    it('S3: GetObject under config/web/ only', async () => {
      const got = await dev.run('s3api', 'get-object', '--bucket', 'config', '--key', 'web/app.env', '/dev/null');
      assert.equal(got.code, 0, got.stderr);
      const other = await dev.run('s3api', 'get-object', '--bucket', 'config', '--key', 'db/app.env', '/dev/null');
      // S3 words a same-account denial with the evaluation's reason and the resource in quotes.
      assert.match(
        other.stderr,
        /\(AccessDenied\) when calling the GetObject operation(?: \(reached max retries: \d+\))?: User: arn:aws:iam::000000000000:user\/dev is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::config\/db\/app\.env" because no identity-based policy allows the s3:GetObject action/,
      );
      const put = await dev.run('s3api', 'put-object', '--bucket', 'config', '--key', 'web/x', '--body', body);
      assert.match(put.stderr, /\(AccessDenied\)/);
      const list = await dev.run('s3api', 'list-objects-v2', '--bucket', 'config');
      assert.match(list.stderr, /\(AccessDenied\)/);
    });

    it('simulate-principal-policy decides as the real calls did', async () => {
      const cases: [action: string, resource: string, decision: string][] = [
        ['ecs:DescribeClusters', ecs('cluster/dev-web'), 'allowed'],
        ['ecs:DescribeClusters', ecs('cluster/prod-web'), 'implicitDeny'],
        ['ecs:ListClusters', '*', 'implicitDeny'],
        ['ecr:CreateRepository', ecr('team-web'), 'allowed'],
        ['ecr:CreateRepository', ecr('ops'), 'implicitDeny'],
        ['logs:CreateLogStream', `${logGroup('/app/web')}:log-stream:s1`, 'allowed'],
        ['logs:CreateLogStream', `${logGroup('/ops/audit')}:log-stream:s1`, 'implicitDeny'],
        ['elasticloadbalancing:DescribeLoadBalancers', '*', 'allowed'],
        ['s3:GetObject', 'arn:aws:s3:::config/web/app.env', 'allowed'],
        ['s3:GetObject', 'arn:aws:s3:::config/db/app.env', 'implicitDeny'],
      ];
      for (const [action, resource, decision] of cases) {
        const { EvaluationResults } = await root.json<{ EvaluationResults: { EvalDecision: string }[] }>(
          'iam',
          'simulate-principal-policy',
          '--policy-source-arn',
          dev.arn,
          '--action-names',
          action,
          '--resource-arns',
          resource,
        );
        assert.equal(EvaluationResults[0]?.EvalDecision, decision, `${action} on ${resource}`);
      }
      // RunTask's ecs:cluster key: the simulation takes it as a context entry, as AWS's does.
      const runTask = async (cluster: string) =>
        (
          await root.json<{ EvaluationResults: { EvalDecision: string }[] }>(
            'iam',
            'simulate-principal-policy',
            '--policy-source-arn',
            dev.arn,
            '--action-names',
            'ecs:RunTask',
            '--resource-arns',
            ecs('task-definition/web:1'),
            '--context-entries',
            `ContextKeyName=ecs:cluster,ContextKeyValues=${ecs(`cluster/${cluster}`)},ContextKeyType=string`,
          )
        ).EvaluationResults[0]?.EvalDecision;
      assert.equal(await runTask('dev-web'), 'allowed');
      assert.equal(await runTask('prod-web'), 'implicitDeny');
    });
  },
);
