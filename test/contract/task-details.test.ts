import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createExecutionRole } from '../../testing/execution-role.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { inspect, isRunning, isStopped, waitForTask, removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

// What ECS fills in on a task and gives its containers (issue #16, item 3), seen through the AWS
// SDK v3 and CLI v2 with real containers on managed (FARGATE) capacity.
describe('task details ECS fills in, on FARGATE', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `details-${randomBytes(4).toString('hex')}`;
  let image: string;
  let pushed: { reference: string; digest: string };
  /**
   * FARGATE needs it for an image in the server's registry (an ECR image) and for awslogs; as on AWS,
   * awslogs-create-group needs logs:CreateLogGroup added to the managed policy's grants.
   */
  let executionRoleArn: string;

  const register = (family: string, containers: ContainerDefinition[]) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-${family}`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn,
        containerDefinitions: containers.map((c) => ({ image, stopTimeout: 2, ...c })),
      }),
    );
  const run = async (family: string) => {
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `${cluster}-${family}`,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
      }),
    );
    assert.deepEqual(failures, []);
    return tasks![0]!.taskArn!;
  };
  const stop = async (arn: string) => {
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  };

  /** Pushes the test image to the server's own registry; only the registry has it under that name then. */
  async function pushToRegistry(): Promise<{ reference: string; digest: string }> {
    const ecr = new ECRClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
    const repository = `${cluster}/app`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    ecr.destroy();
    const password = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
    const registry = new URL(server.url).host.replace('127.0.0.1', 'localhost');
    const reference = `${registry}/${repository}:v1`;
    const login = await docker.docker(['login', '--username', 'AWS', '--password-stdin', registry], {
      input: password,
    });
    assert.equal(login.code, 0, login.stderr);
    await docker.tag(image, reference);
    const push = await docker.docker(['push', reference]);
    assert.equal(push.code, 0, push.stderr);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    assert.ok(digest, push.stdout);
    await docker.docker(['rmi', reference]);
    return { reference, digest };
  }

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-details-${randomBytes(4).toString('hex')}:1`)).tag;
    executionRoleArn = await createExecutionRole(server, {
      statements: [{ Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: '*' }],
    });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    pushed = await pushToRegistry();
    await register('pulled', [{ name: 'app', image: pushed.reference, command: ['sleep', '600'] }]);
    await register('local', [{ name: 'app', command: ['sleep', '600'] }]);
    await register('env', [
      { name: 'plain', command: ['sleep', '600'] },
      {
        name: 'regional',
        command: ['sleep', '600'],
        environment: [{ name: 'AWS_REGION', value: 'eu-west-3' }],
      },
    ]);
    await register('health', [
      {
        name: 'checked',
        command: ['sleep', '600'],
        // The image has no /bin/sh for CMD-SHELL: busybox runs the check itself.
        healthCheck: { command: ['CMD', '/bin/busybox', 'true'], interval: 5, timeout: 2, retries: 1 },
      },
      { name: 'unchecked', command: ['sleep', '600'] },
    ]);
    await register('once', [{ name: 'main', command: ['sh', '-c', 'exit 4'] }]);
    await register('quiet', [
      {
        name: 'quiet',
        command: ['sleep', '600'],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/${cluster}/quiet`,
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': 'ecs',
            'awslogs-create-group': 'true',
          },
        },
      },
    ]);
  });

  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it("reports the digest of the image a container runs: the registry's for a pulled image", async () => {
    const arn = await run('pulled');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    assert.equal(task.containers?.[0]?.imageDigest, pushed.digest);
    await stop(arn);
  });

  it('reports no digest for an image that never came from a registry, as the ECS agent does', async () => {
    const arn = await run('local');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    assert.equal(task.containers?.[0]?.imageDigest, undefined);
    await stop(arn);
  });

  it("gives every container ECS's variables: AWS_EXECUTION_ENV and the region unless the definition sets it", async () => {
    const arn = await run('env');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    const environment = async (name: string) => {
      const id = task.containers!.find((c) => c.name === name)!.runtimeId!;
      const pairs = (await inspect(docker, id)).Config.Env.map((e) => e.split('=') as [string, string]);
      return Object.fromEntries(pairs.map(([key, ...value]) => [key, value.join('=')]));
    };
    const plain = await environment('plain');
    assert.equal(plain.AWS_EXECUTION_ENV, 'AWS_ECS_FARGATE');
    assert.equal(plain.AWS_REGION, 'us-east-1');
    assert.equal(plain.AWS_DEFAULT_REGION, 'us-east-1');
    assert.match(plain.ECS_CONTAINER_METADATA_URI_V4 ?? '', /^http:\/\/.+\/v4\//);
    const regional = await environment('regional');
    assert.equal(regional.AWS_EXECUTION_ENV, 'AWS_ECS_FARGATE');
    assert.equal(regional.AWS_REGION, 'eu-west-3');
    assert.equal(regional.AWS_DEFAULT_REGION, undefined);
    await stop(arn);
  });

  it('shows UNKNOWN for a container without a health check; the task follows the checked essential one', async () => {
    const arn = await run('health');
    const task = await waitForTask(ecs, cluster, arn, (t) => t.healthStatus === 'HEALTHY' || isStopped(t), 90_000);
    const health = new Map(task.containers?.map((c) => [c.name, c.healthStatus]));
    assert.equal(health.get('checked'), 'HEALTHY');
    assert.equal(health.get('unchecked'), 'UNKNOWN');
    assert.equal(task.healthStatus, 'HEALTHY');
    await stop(arn);
  });

  it('says "Essential container in task exited" when one does, in the CLI\'s describe-tasks', async () => {
    const arn = await run('once');
    await waitForTask(ecs, cluster, arn, isStopped);
    const described = await awsCliFor(server, 'ecs').json<{
      tasks: { stopCode: string; stoppedReason: string; containers: { exitCode: number; healthStatus: string }[] }[];
    }>('describe-tasks', '--cluster', cluster, '--tasks', arn);
    const task = described.tasks[0]!;
    assert.equal(task.stopCode, 'EssentialContainerExited');
    assert.equal(task.stoppedReason, 'Essential container in task exited');
    assert.equal(task.containers[0]!.exitCode, 4);
    assert.equal(task.containers[0]!.healthStatus, 'UNKNOWN');
  });

  it('creates the awslogs group and stream as the container starts, before it writes anything', async () => {
    const arn = await run('quiet');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    const logs = awsCliFor(server, 'logs');
    const groups = await logs.json<{ logGroups: { logGroupName: string }[] }>(
      'describe-log-groups',
      '--log-group-name-prefix',
      `/ecs/${cluster}/quiet`,
    );
    assert.deepEqual(
      groups.logGroups.map((g) => g.logGroupName),
      [`/ecs/${cluster}/quiet`],
    );
    const streams = await logs.json<{ logStreams: { logStreamName: string; lastEventTimestamp?: number }[] }>(
      'describe-log-streams',
      '--log-group-name',
      `/ecs/${cluster}/quiet`,
    );
    assert.deepEqual(
      streams.logStreams.map((s) => [s.logStreamName, s.lastEventTimestamp]),
      [[`ecs/quiet/${arn.split('/').at(-1)}`, undefined]],
    );
    await stop(arn);
  });
});
