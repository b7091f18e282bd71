import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type NetworkMode,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { iptablesCredentialsRoutes } from '../../src/agent/index.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createExecutionRole } from '../../testing/execution-role.ts';
import {
  assertRevoked,
  buildRoleProbeImage,
  createTaskRole,
  networkGateway,
  parseProbeOutput,
  probeCommand,
  probeEnvironment,
  probeOutputOf,
  startRelay,
  type ProbeOutput,
  type Relay,
} from '../../testing/role-probe.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { inspect, isRunning, isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// Task roles on the EC2 launch type: a `berth agent` on this machine serves each task's role at
// http://169.254.170.2 (iptables DNAT per container MAC in bridge mode, nat OUTPUT for host mode),
// and an AWS SDK's default chain inside the container acts as that role. Bridge containers reach
// the test server (127.0.0.1 only) through a relay on docker0's gateway; host-mode containers
// share the host's namespace and reach it directly. Then private registry authentication: a FARGATE
// task pulls from a second Berth server (a registry other than the first server's own) with the
// {"username","password"} secret its repositoryCredentials name, read with its execution role.

const skip = dockerSkipReason() || busyboxSkipReason();

const TASK_IAM_ROLE = 'com.amazonaws.ecs.capability.task-iam-role';
const TASK_IAM_ROLE_HOST = 'com.amazonaws.ecs.capability.task-iam-role-network-host';

describe(
  'task roles on `berth agent` (EC2 launch type), and private registry credentials',
  { skip, timeout: 300_000 },
  () => {
    let server: TestServer;
    let ecs: ECSClient;
    let iam: IAMClient;
    let s3: S3Client;
    let relay: Relay;
    let agent: AgentProcess | undefined;
    let image: string;
    const docker = new DockerSession();
    const suffix = randomBytes(4).toString('hex');
    const cluster = `roles-agent-${suffix}`;
    const bucket = `roles-agent-${suffix}`;
    const work = mkdtempSync(join(tmpdir(), 'berth-roles-agent-'));
    const roleArns: Record<'reader' | 'nothing', string> = { reader: '', nothing: '' };
    const roleName = (role: keyof typeof roleArns) => `${role}-${suffix}`;
    const taskIdOf = (task: Task) => task.taskArn!.split('/').at(-1)!;

    /** Registers an EC2 definition whose one container runs the probe (or `command`) as `role`. */
    const register = async (
      family: string,
      options: { networkMode: NetworkMode; role: keyof typeof roleArns; command?: string[] },
    ): Promise<string> => {
      // Host-mode containers share the host's namespace: the server is at its own address there.
      const endpoint = options.networkMode === 'host' ? server.url : relay.url;
      const container: ContainerDefinition = {
        name: 'probe',
        image,
        essential: true,
        memory: 256,
        command: options.command ?? probeCommand(bucket, 'greeting.txt'),
        environment: probeEnvironment(endpoint),
      };
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `${cluster}-${family}`,
          requiresCompatibilities: ['EC2'],
          networkMode: options.networkMode,
          taskRoleArn: roleArns[options.role],
          containerDefinitions: [container],
        }),
      );
      return taskDefinition!.taskDefinitionArn!;
    };

    const runOnAgent = async (taskDefinition: string): Promise<string> => {
      const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition, launchType: 'EC2' }));
      assert.deepEqual(failures, []);
      assert.equal(tasks![0]!.containerInstanceArn, agent!.containerInstanceArn);
      return tasks![0]!.taskArn!;
    };

    /** Runs the probe as the container's command and returns what it printed once the task stopped. */
    const probeTask = async (taskDefinition: string): Promise<{ task: Task; output: ProbeOutput }> => {
      const task = await waitForTask(ecs, cluster, await runOnAgent(taskDefinition), isStopped, 90_000);
      const runtimeId = task.containers?.[0]?.runtimeId;
      assert.ok(runtimeId, `no container ran: ${task.stoppedReason}`);
      assert.equal(
        task.containers?.[0]?.exitCode,
        0,
        `the probe failed: ${(await docker.docker(['logs', runtimeId])).stderr}`,
      );
      return { task, output: await probeOutputOf(docker, runtimeId) };
    };

    before(async () => {
      server = await startTestServer();
      const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
      ecs = new ECSClient(client);
      iam = new IAMClient(client);
      s3 = new S3Client({ ...client, forcePathStyle: true });
      await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'greeting.txt', Body: 'hello from S3' }));
      roleArns.reader = await createTaskRole(iam, roleName('reader'), [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      ]);
      roleArns.nothing = await createTaskRole(iam, roleName('nothing'), []);
      // docker0's gateway: where bridge-mode containers reach this host.
      relay = await startRelay(await networkGateway(docker, 'bridge'), server.url);
      image = await buildRoleProbeImage(docker, `berth-sdk-probe-agent-${suffix}:1`);
      agent = await spawnAgent(
        {
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
          BERTH_ENDPOINT: server.url,
          ECS_CONTAINER_STOP_TIMEOUT: '1s',
        },
        ['--cluster', cluster, '--cpu', '2048', '--memory', '2048', '--data-dir', join(work, 'agent')],
      );
    });

    after(async () => {
      if (agent && agent.child.exitCode === null && agent.child.signalCode === null) {
        agent.child.kill('SIGTERM');
        const stopped = await Promise.race([
          agent.exited,
          new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
        ]);
        if (stopped === undefined) agent.child.kill('SIGKILL');
      }
      ecs?.destroy();
      iam?.destroy();
      s3?.destroy();
      await relay?.close();
      await server?.stop();
      await removeClusterContainers(docker, cluster);
      // The routes of tasks the agent had not released (a failed test): its own, by its owner name.
      try {
        const { ec2InstanceId } = JSON.parse(readFileSync(join(work, 'agent', 'agent-state.json'), 'utf8')) as {
          ec2InstanceId: string;
        };
        await (await iptablesCredentialsRoutes({ log: { warn: () => {} } }))?.removeOwned(ec2InstanceId);
      } catch {
        // No agent state: the agent never registered, so it made no routes.
      }
      await docker.cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    it('advertises task-iam-role and task-iam-role-network-host', async () => {
      const { containerInstances } = await ecs.send(
        new DescribeContainerInstancesCommand({ cluster, containerInstances: [agent!.containerInstanceArn] }),
      );
      const names = new Set(containerInstances?.[0]?.attributes?.map((a) => a.name));
      assert.ok(names.has(TASK_IAM_ROLE), `${TASK_IAM_ROLE} in ${[...names].join(' ')}`);
      assert.ok(names.has(TASK_IAM_ROLE_HOST), `${TASK_IAM_ROLE_HOST} in ${[...names].join(' ')}`);
    });

    it("gives a bridge-mode task its role's credentials at 169.254.170.2, revoked once it stopped", async () => {
      const definition = await register('bridge', { networkMode: 'bridge', role: 'reader' });
      const { task, output } = await probeTask(definition);
      assert.match(output.uri ?? '', /^\/v2\/credentials\/[0-9a-f-]{36}$/);
      assert.equal(output.identityError, undefined);
      assert.equal(output.arn, `arn:aws:sts::000000000000:assumed-role/${roleName('reader')}/${taskIdOf(task)}`);
      assert.equal(output.body, 'hello from S3');
      assert.equal(output.otherStatus, 400);
      assert.deepEqual(output.otherBody, {
        code: 'InvalidIdInRequest',
        message: 'CredentialsV2Request: Credentials not found',
      });
      await assertRevoked(server.url, output.credentials!);
    });

    it("gives a host-mode task its role's credentials (nat OUTPUT to the agent on 127.0.0.1)", async () => {
      const definition = await register('host', { networkMode: 'host', role: 'reader' });
      const { task, output } = await probeTask(definition);
      assert.equal((await inspect(docker, task.containers![0]!.runtimeId!)).HostConfig.NetworkMode, 'host');
      assert.match(output.uri ?? '', /^\/v2\/credentials\/[0-9a-f-]{36}$/);
      assert.equal(output.identityError, undefined);
      assert.equal(output.arn, `arn:aws:sts::000000000000:assumed-role/${roleName('reader')}/${taskIdOf(task)}`);
      assert.equal(output.body, 'hello from S3');
      assert.equal(output.otherStatus, 400);
      await assertRevoked(server.url, output.credentials!);
    });

    it('gives two tasks running at once each its own role, never the other', async () => {
      // The containers idle; the probe runs in each (docker exec: the container's environment and
      // network) while both tasks hold their sessions.
      const idle = ['/bin/busybox', 'sleep', '600'];
      const definitions = {
        reader: await register('idle-reader', { networkMode: 'bridge', role: 'reader', command: idle }),
        nothing: await register('idle-nothing', { networkMode: 'bridge', role: 'nothing', command: idle }),
      };
      const arns = { reader: await runOnAgent(definitions.reader), nothing: await runOnAgent(definitions.nothing) };
      try {
        const tasks = {
          reader: await waitForTask(ecs, cluster, arns.reader, isRunning, 90_000),
          nothing: await waitForTask(ecs, cluster, arns.nothing, isRunning, 90_000),
        };
        for (const task of Object.values(tasks)) assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
        const exec = async (task: Task) => {
          const ran = await docker.docker([
            'exec',
            task.containers![0]!.runtimeId!,
            ...probeCommand(bucket, 'greeting.txt'),
          ]);
          assert.equal(ran.code, 0, ran.stderr);
          return parseProbeOutput(ran.stdout, ran.stderr);
        };
        const [reader, nothing] = await Promise.all([exec(tasks.reader), exec(tasks.nothing)]);
        assert.equal(
          reader.arn,
          `arn:aws:sts::000000000000:assumed-role/${roleName('reader')}/${taskIdOf(tasks.reader)}`,
        );
        assert.equal(reader.body, 'hello from S3');
        assert.equal(
          nothing.arn,
          `arn:aws:sts::000000000000:assumed-role/${roleName('nothing')}/${taskIdOf(tasks.nothing)}`,
        );
        assert.equal(nothing.s3Error, 'AccessDenied');
        assert.notEqual(reader.uri, nothing.uri);
        assert.notEqual(reader.credentials?.accessKeyId, nothing.credentials?.accessKeyId);
      } finally {
        for (const arn of Object.values(arns)) await ecs.send(new StopTaskCommand({ cluster, task: arn }));
        for (const arn of Object.values(arns)) await waitForTask(ecs, cluster, arn, isStopped);
      }
    });

    describe('repositoryCredentials: a FARGATE task pulls from another registry with a secret', () => {
      let registry: TestServer;
      let secrets: SecretsManagerClient;
      let privateImage: string;
      let pushedDigest: string;
      let executionRoleArn: string;
      const secretArns = { right: '', wrong: '' };

      const runPrivate = async (name: string, secretArn: string | undefined): Promise<Task> => {
        const family = `${cluster}-private-${name}`;
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family,
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
            cpu: '256',
            memory: '512',
            executionRoleArn,
            containerDefinitions: [
              {
                name: 'app',
                image: privateImage,
                essential: true,
                command: ['sleep', '600'],
                stopTimeout: 2,
                ...(secretArn ? { repositoryCredentials: { credentialsParameter: secretArn } } : {}),
              },
            ],
          }),
        );
        // No local copy: the engine must pull it (a failed pull falls back to a cached image).
        await docker.docker(['rmi', privateImage]);
        const present = await docker.docker(['image', 'inspect', privateImage]);
        assert.notEqual(present.code, 0, `${privateImage} is still on this host`);
        const { tasks, failures } = await ecs.send(
          new RunTaskCommand({
            cluster,
            taskDefinition: family,
            launchType: 'FARGATE',
            networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
          }),
        );
        assert.deepEqual(failures, []);
        return waitForTask(ecs, cluster, tasks![0]!.taskArn!, isRunning, 90_000);
      };

      const assertPullRefused = (task: Task) => {
        assert.equal(task.lastStatus, 'STOPPED');
        assert.equal(task.stopCode, 'TaskFailedToStart');
        // The registry refused the pull: no credentials, or not these (not a connection or name problem).
        assert.match(
          task.stoppedReason ?? '',
          /^CannotPullContainerError: .*(no basic auth credentials|unauthorized)/i,
        );
        assert.match(task.containers?.[0]?.reason ?? '', /CannotPullContainerError/);
        assert.equal(task.containers?.[0]?.runtimeId, undefined, 'no container was created');
      };

      before(async () => {
        // The second server is only a registry: its own managed capacity stays off.
        registry = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
        const ecr = new ECRClient({
          endpoint: registry.url,
          region: 'us-east-1',
          credentials: registry.credentials,
          maxAttempts: 1,
        });
        await ecr.send(new CreateRepositoryCommand({ repositoryName: 'private/app' }));
        const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
        ecr.destroy();
        const password = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
        const host = `127.0.0.1:${new URL(registry.url).port}`;
        const login = await docker.docker(['login', '--username', 'AWS', '--password-stdin', host], {
          input: password,
        });
        assert.equal(login.code, 0, login.stderr);
        const built = await docker.buildBusyboxImage(`berth-private-${suffix}:1`);
        privateImage = `${host}/private/app:1`;
        await docker.tag(built.tag, privateImage);
        const pushed = await docker.docker(['push', privateImage]);
        assert.equal(pushed.code, 0, pushed.stderr);
        pushedDigest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1] ?? '';
        assert.ok(pushedDigest, pushed.stdout);
        await docker.docker(['logout', host]);

        secrets = new SecretsManagerClient({
          endpoint: server.url,
          region: 'us-east-1',
          credentials: server.credentials,
          maxAttempts: 1,
        });
        const secretOf = async (name: string, value: object) =>
          (await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN!;
        secretArns.right = await secretOf(`registry-${suffix}`, { username: 'AWS', password });
        secretArns.wrong = await secretOf(`registry-wrong-${suffix}`, { username: 'AWS', password: 'not-the-token' });
        executionRoleArn = await createExecutionRole(server, {
          statements: [
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: Object.values(secretArns) },
          ],
        });
      });

      after(async () => {
        secrets?.destroy();
        await registry?.stop();
      });

      it('stops with CannotPullContainerError without repositoryCredentials', async () => {
        assertPullRefused(await runPrivate('anonymous', undefined));
      });

      it('stops with CannotPullContainerError when the secret holds a wrong password', async () => {
        assertPullRefused(await runPrivate('wrong', secretArns.wrong));
      });

      it("runs once the image is pulled with the secret's username and password", async () => {
        const task = await runPrivate('right', secretArns.right);
        try {
          const container = task.containers?.[0];
          assert.equal(task.lastStatus, 'RUNNING', JSON.stringify({ reason: task.stoppedReason, container }));
          assert.equal(container?.lastStatus, 'RUNNING');
          assert.equal(container?.imageDigest, pushedDigest);
          assert.equal((await inspect(docker, container!.runtimeId!)).State.Running, true);
        } finally {
          await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn! }));
          await waitForTask(ecs, cluster, task.taskArn!, isStopped);
        }
      });
    });
  },
);
