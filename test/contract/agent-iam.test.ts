import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { allowStatement, createUser } from '../../testing/iam-users.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isRunning, isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

const EC2_ROLE_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role';
const ACCOUNT = '000000000000';

/**
 * `berth agent` as AWS's container instances run: an identity holding only
 * AmazonEC2ContainerServiceforEC2Role (an IAM user's session, or an instance profile's role
 * assumed with bootstrap keys) registers, pulls from Berth's registry, runs a task and ships its
 * awslogs lines; an identity without ecs:Poll is refused at start, in words that say so.
 */
describe(
  '`berth agent` with AmazonEC2ContainerServiceforEC2Role, not the root',
  { skip: dockerSkipReason() || busyboxSkipReason(), timeout: 300_000 },
  () => {
    let server: TestServer;
    let ecs: ECSClient;
    let iam: IAMClient;
    const docker = new DockerSession();
    const suffix = randomBytes(4).toString('hex');
    const clusters = { user: `iam-user-${suffix}`, profile: `iam-profile-${suffix}`, denied: `iam-denied-${suffix}` };
    const logGroup = `/ecs/agent-iam-${suffix}`;
    const work = mkdtempSync(join(tmpdir(), 'berth-agent-iam-'));
    const agents: AgentProcess[] = [];
    let image = '';

    const agentEnv = (keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }) => ({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
      BERTH_ENDPOINT: server.url,
      ECS_CONTAINER_STOP_TIMEOUT: '1s',
    });
    const startAgent = async (name: string, env: Record<string, string>, args: string[] = []) => {
      const agent = await spawnAgent(env, [
        '--cluster',
        name,
        '--cpu',
        '1024',
        '--memory',
        '256',
        '--data-dir',
        join(work, name),
        ...args,
      ]);
      agents.push(agent);
      return agent;
    };

    before(async () => {
      server = await startTestServer();
      const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
      ecs = new ECSClient(client);
      iam = new IAMClient(client);
      for (const cluster of Object.values(clusters)) await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      // The image lives only in Berth's registry: the agent must pull it with its own ECR token.
      const ecr = new ECRClient(client);
      const repository = `agent-iam-${suffix}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
      const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
      ecr.destroy();
      const password = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
      const registry = new URL(server.url).host.replace('127.0.0.1', 'localhost');
      const login = await docker.docker(['login', '--username', 'AWS', '--password-stdin', registry], {
        input: password,
      });
      assert.equal(login.code, 0, login.stderr);
      const built = await docker.buildBusyboxImage(`berth-agent-iam-${suffix}:1`);
      image = `${registry}/${repository}:v1`;
      await docker.tag(built.tag, image);
      const pushed = await docker.docker(['push', image]);
      assert.equal(pushed.code, 0, pushed.stderr);
      await docker.docker(['rmi', image]);
      // The group exists: awslogs-create-group needs no logs:CreateLogGroup then (the role has none).
      const logs = new CloudWatchLogsClient(client);
      await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
      logs.destroy();
    });

    after(async () => {
      for (const agent of agents) agent.child.kill('SIGKILL');
      ecs?.destroy();
      iam?.destroy();
      await server?.stop();
      for (const cluster of Object.values(clusters)) await removeClusterContainers(docker, cluster);
      await docker.cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    /** Runs a task printing `line` on the agent's cluster; resolves once RUNNING with the line in its stream. */
    async function runLoggingTask(cluster: string, line: string): Promise<string> {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: cluster,
          requiresCompatibilities: ['EC2'],
          containerDefinitions: [
            {
              name: 'app',
              image,
              memory: 32,
              command: ['sh', '-c', `echo '${line}'; sleep 600`],
              logConfiguration: {
                logDriver: 'awslogs',
                options: {
                  'awslogs-group': logGroup,
                  'awslogs-region': 'us-east-1',
                  'awslogs-stream-prefix': cluster,
                  'awslogs-create-group': 'true',
                },
              },
            },
          ],
        }),
      );
      const { tasks: [task] = [], failures } = await ecs.send(
        new RunTaskCommand({ cluster, taskDefinition: cluster, launchType: 'EC2' }),
      );
      assert.deepEqual(failures, []);
      const running = await waitForTask(ecs, cluster, task!.taskArn!, isRunning, 90_000);
      assert.equal(
        running.lastStatus,
        'RUNNING',
        JSON.stringify({ reason: running.stoppedReason, c: running.containers }),
      );
      const logs = new CloudWatchLogsClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: server.credentials,
      });
      const stream = `${cluster}/app/${task!.taskArn!.split('/').at(-1)}`;
      const deadline = Date.now() + 30_000;
      let messages: string[] = [];
      while (!messages.includes(line)) {
        assert.ok(Date.now() < deadline, `no '${line}' in ${stream}: ${JSON.stringify(messages)}`);
        await sleep(250);
        const answer = await logs
          .send(new GetLogEventsCommand({ logGroupName: logGroup, logStreamName: stream }))
          .catch(() => ({ events: [] }));
        messages = (answer.events ?? []).map((e) => e.message ?? '');
      }
      logs.destroy();
      return task!.taskArn!;
    }

    async function stopTask(cluster: string, taskArn: string): Promise<void> {
      await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
      await waitForTask(ecs, cluster, taskArn, isStopped);
    }

    it("runs a task with an IAM user's session credentials (AWS_SESSION_TOKEN on every call)", async () => {
      const user = await createUser(server, `ecs-host-${suffix}`);
      await iam.send(new AttachUserPolicyCommand({ UserName: `ecs-host-${suffix}`, PolicyArn: EC2_ROLE_POLICY }));
      const sts = new STSClient({ endpoint: server.url, region: 'us-east-1', credentials: user });
      const { Credentials } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }));
      sts.destroy();
      assert.match(Credentials!.AccessKeyId!, /^ASIA/);
      const agent = await startAgent(
        clusters.user,
        agentEnv({
          accessKeyId: Credentials!.AccessKeyId!,
          secretAccessKey: Credentials!.SecretAccessKey!,
          sessionToken: Credentials!.SessionToken!,
        }),
      );
      const taskArn = await runLoggingTask(clusters.user, 'hello from an IAM user');
      await stopTask(clusters.user, taskArn);
      assert.doesNotMatch(agent.output(), /AccessDenied|not authorized/);
    });

    it('is refused at start, and says why, when its identity may not ecs:Poll', async () => {
      const everythingButPoll = allowStatement(
        'ecs:RegisterContainerInstance',
        'ecs:DeregisterContainerInstance',
        'ecs:Submit*',
        'ecr:GetAuthorizationToken',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      );
      const user = await createUser(server, `no-poll-${suffix}`, { statements: [everythingButPoll] });
      const agent = await startAgent(clusters.denied, agentEnv(user));
      assert.equal(await agent.exited, 1);
      assert.match(
        agent.output(),
        new RegExp(
          `cannot start: the server refused the agent's poll: AccessDeniedException: User: arn:aws:iam::${ACCOUNT}:user/no-poll-${suffix} is not authorized to perform: ecs:Poll on resource: arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/${clusters.denied}/`,
        ),
      );
    });

    it("runs a task as an instance profile's role session, assumed with bootstrap keys", async () => {
      const role = `ecsInstanceRole-${suffix}`;
      const profile = `ecsInstanceProfile-${suffix}`;
      const bootstrapName = `host-bootstrap-${suffix}`;
      const bootstrapArn = `arn:aws:iam::${ACCOUNT}:user/${bootstrapName}`;
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
      // The bootstrap keys may read the profile and assume its role, nothing else.
      const bootstrap = await createUser(server, bootstrapName, {
        statements: [
          {
            Effect: 'Allow',
            Action: 'iam:GetInstanceProfile',
            Resource: `arn:aws:iam::${ACCOUNT}:instance-profile/${profile}`,
          },
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn },
        ],
      });
      await iam.send(
        new CreateRoleCommand({
          RoleName: role,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
              { Effect: 'Allow', Principal: { AWS: bootstrapArn }, Action: 'sts:AssumeRole' },
            ],
          }),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: EC2_ROLE_POLICY }));
      await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile }));
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }));

      // Keys that may not read the profile start nothing.
      const stranger = await createUser(server, `stranger-${suffix}`);
      await assert.rejects(
        startAgent(clusters.profile, agentEnv(stranger), ['--instance-profile', profile]),
        new RegExp(
          `exited \\(1\\) before registering:[\\s\\S]*cannot assume the role of instance profile ${profile}: AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/stranger-${suffix} is not authorized to perform: iam:GetInstanceProfile`,
        ),
      );
      const agent = await startAgent(clusters.profile, agentEnv(bootstrap), ['--instance-profile', profile]);
      assert.match(agent.output(), /"accessKeyId":"ASIA[A-Z2-7]{16}".*"msg":"instance profile session assumed"/);
      const taskArn = await runLoggingTask(clusters.profile, 'hello from an instance role');
      await stopTask(clusters.profile, taskArn);
      assert.doesNotMatch(agent.output(), /AccessDenied|not authorized/);
    });
  },
);
