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
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { awsCliFor } from '../../testing/aws-cli.ts';
import { createExecutionRole } from '../../testing/execution-role.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { inspect, isRunning, isStopped, waitForTask, removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('FARGATE tasks on the local Docker engine (managed capacity)', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `fargate-${randomBytes(4).toString('hex')}`;
  let image: string;
  let hello: string;
  /** FARGATE needs it for awslogs; awslogs-create-group needs logs:CreateLogGroup added, as on AWS. */
  let executionRoleArn: string;
  const network = { awsvpcConfiguration: { subnets: ['subnet-0123'] } };

  const register = (family: string, containers: ContainerDefinition[]) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-${family}`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn,
        containerDefinitions: containers.map((c) => ({ image, ...c })),
      }),
    );
  const run = async (family: string) => {
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `${cluster}-${family}`,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    assert.deepEqual(failures, []);
    return tasks![0]!.taskArn!;
  };

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const built = await docker.buildBusyboxImage(`berth-tasks-${randomBytes(4).toString('hex')}:1`);
    image = built.tag;
    hello = built.hello;
    executionRoleArn = await createExecutionRole(server, {
      statements: [{ Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: '*' }],
    });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await register('once', [
      {
        name: 'main',
        command: ['sh', '-c', 'echo out; echo err >&2; echo last; exit 3'],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': `/ecs/${cluster}`,
            'awslogs-region': 'us-east-1',
            'awslogs-stream-prefix': 'ecs',
            'awslogs-create-group': 'true',
          },
        },
      },
    ]);
    await register('web', [{ name: 'web', command: ['httpd', '-f', '-p', '8080', '-h', '/'], stopTimeout: 2 }]);
    await register('deps', [
      { name: 'init', essential: false, command: ['sh', '-c', 'sleep 1'] },
      {
        name: 'app',
        command: ['sleep', '600'],
        stopTimeout: 2,
        dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
      },
    ]);
    await register('sick', [
      {
        name: 'app',
        command: ['sleep', '600'],
        stopTimeout: 2,
        healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 },
      },
    ]);
    await register('graceful', [
      { name: 'polite', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'], stopTimeout: 10 },
      { name: 'stubborn', essential: false, command: ['sh', '-c', 'trap "" TERM; sleep 600'], stopTimeout: 2 },
    ]);
    await register('nopull', [{ name: 'ghost', image: '127.0.0.1:9/berth/none:latest' }]);
    await register('confined', [
      {
        name: 'app',
        command: ['sleep', '600'],
        stopTimeout: 2,
        linuxParameters: { capabilities: { add: ['SYS_PTRACE'] } },
      },
    ]);
  });

  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('runs a one-shot task to STOPPED with its exit code, driven by the AWS CLI', async () => {
    const aws = awsCliFor(server, 'ecs');
    const { tasks } = await aws.json<{ tasks: { taskArn: string }[] }>(
      'run-task',
      '--cluster',
      cluster,
      '--launch-type',
      'FARGATE',
      '--task-definition',
      `${cluster}-once`,
      '--network-configuration',
      'awsvpcConfiguration={subnets=[subnet-0123]}',
    );
    const arn = tasks[0]!.taskArn;
    const waited = await aws.run('wait', 'tasks-stopped', '--cluster', cluster, '--tasks', arn);
    assert.equal(waited.code, 0, waited.stderr);
    const task = await waitForTask(ecs, cluster, arn, isStopped);
    assert.equal(task.stopCode, 'EssentialContainerExited');
    assert.match(task.stoppedReason ?? '', /Essential container in task exited/);
    assert.equal(task.containers?.[0]?.exitCode, 3);
    assert.equal(task.containers?.[0]?.lastStatus, 'STOPPED');
    assert.ok(task.pullStartedAt && task.pullStoppedAt && task.executionStoppedAt);

    // awslogs: every line, in order, in the stream ECS names prefix/container/task-id.
    const logs = awsCliFor(server, 'logs');
    const events = await logs.json<{ events: { message: string }[] }>(
      'get-log-events',
      '--log-group-name',
      `/ecs/${cluster}`,
      '--log-stream-name',
      `ecs/main/${arn.split('/').at(-1)}`,
      '--start-from-head',
    );
    // stdout and stderr are copied apart, so only each stream's own order is certain.
    const messages = events.events.map((e) => e.message);
    assert.deepEqual([...messages].sort(), ['err', 'last', 'out']);
    assert.ok(messages.indexOf('out') < messages.indexOf('last'), messages.join(','));
    const tail = await logs.run('tail', `/ecs/${cluster}`);
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout, /last/);
  });

  it('serves HTTP on the task’s own awsvpc address, with the ECS labels on its container', async () => {
    const arn = await run('web');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING');
    const details = new Map(task.attachments?.[0]?.details?.map((d) => [d.name, d.value]));
    const ip = details.get('privateIPv4Address');
    assert.ok(ip, `an address in ${JSON.stringify(task.attachments)}`);
    assert.equal(task.attachments?.[0]?.status, 'ATTACHED');
    assert.equal(task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address, ip);
    const body = await (await fetch(`http://${ip}:8080/hello.txt`, { signal: AbortSignal.timeout(10_000) })).text();
    assert.equal(body, hello);
    const labels = (await inspect(docker, task.containers![0]!.runtimeId!)).Config.Labels;
    assert.equal(labels['com.amazonaws.ecs.task-arn'], arn);
    assert.equal(labels['com.amazonaws.ecs.container-name'], 'web');
    assert.equal(labels['com.amazonaws.ecs.task-definition-family'], `${cluster}-web`);
    assert.equal(labels['com.amazonaws.ecs.task-definition-version'], '1');
    assert.match(labels['com.amazonaws.ecs.cluster'] ?? '', new RegExp(`cluster/${cluster}$`));
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    const stopped = await waitForTask(ecs, cluster, arn, isStopped);
    assert.equal(stopped.stopCode, 'UserInitiated');
  });

  it('starts containers in dependsOn order (SUCCESS waits for the exit)', async () => {
    const arn = await run('deps');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    const byName = new Map(task.containers?.map((c) => [c.name, c]));
    assert.equal(byName.get('init')?.exitCode, 0);
    const init = await inspect(docker, byName.get('init')!.runtimeId!);
    const app = await inspect(docker, byName.get('app')!.runtimeId!);
    assert.ok(new Date(app.State.StartedAt) >= new Date(init.State.FinishedAt), 'app started after init finished');
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  });

  it('reports a failing health check as UNHEALTHY, for the container and the task', async () => {
    const arn = await run('sick');
    const task = await waitForTask(ecs, cluster, arn, (t) => t.healthStatus === 'UNHEALTHY');
    assert.equal(task.containers?.[0]?.healthStatus, 'UNHEALTHY');
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  });

  it('stops gracefully on StopTask: SIGTERM first, SIGKILL after stopTimeout', async () => {
    const arn = await run('graceful');
    await waitForTask(ecs, cluster, arn, isRunning);
    await ecs.send(new StopTaskCommand({ cluster, task: arn, reason: 'test is done' }));
    const task = await waitForTask(ecs, cluster, arn, isStopped);
    const byName = new Map(task.containers?.map((c) => [c.name, c]));
    assert.equal(byName.get('polite')?.exitCode, 0, 'the TERM trap ran');
    assert.equal(byName.get('stubborn')?.exitCode, 137, 'killed after its stopTimeout');
    assert.equal(task.stopCode, 'UserInitiated');
    assert.equal(task.stoppedReason, 'test is done');
  });

  it('stops a task whose image cannot be pulled with CannotPullContainerError', async () => {
    const arn = await run('nopull');
    const task = await waitForTask(ecs, cluster, arn, isStopped);
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.match(task.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.match(task.containers?.[0]?.reason ?? '', /CannotPullContainerError/);
  });

  it('refuses what Fargate refuses, at registration and at RunTask', async () => {
    await assert.rejects(register('privileged', [{ name: 'app', privileged: true }]), {
      name: 'ClientException',
      message: "Fargate requires that the 'privileged' setting be 'false'",
    });
    await assert.rejects(
      register('admin', [{ name: 'app', linuxParameters: { capabilities: { add: ['SYS_ADMIN'] } } }]),
      { name: 'ClientException', message: 'SYS_ADMIN is not allowed on Fargate.' },
    );
    // Registered without requiresCompatibilities: EC2 only, so RunTask refuses FARGATE for it.
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-ec2-privileged`,
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image, privileged: true }],
      }),
    );
    assert.deepEqual(taskDefinition?.compatibilities, ['EC2']);
    await assert.rejects(run('ec2-privileged'), {
      name: 'InvalidParameterException',
      message: 'Task definition does not support launch_type FARGATE.',
    });
  });

  it('creates each container unprivileged, with the task’s CPU and memory and a pids limit', async () => {
    const arn = await run('confined');
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    const { HostConfig } = (await inspect(docker, task.containers![0]!.runtimeId!)) as unknown as {
      HostConfig: {
        Privileged: boolean;
        CapAdd: string[] | null;
        NetworkMode: string;
        PidMode: string;
        IpcMode: string;
        NanoCpus: number;
        Memory: number;
        PidsLimit: number | null;
        Devices: unknown[] | null;
      };
    };
    assert.equal(HostConfig.Privileged, false);
    assert.deepEqual(HostConfig.CapAdd, ['SYS_PTRACE']);
    assert.match(HostConfig.NetworkMode, /^container:/);
    assert.equal(HostConfig.PidMode, '');
    assert.notEqual(HostConfig.IpcMode, 'host');
    assert.deepEqual(HostConfig.Devices ?? [], []);
    assert.equal(HostConfig.NanoCpus, 250_000_000, '256 CPU units = a quarter of a CPU');
    assert.equal(HostConfig.Memory, 512 * 1024 * 1024);
    assert.equal(HostConfig.PidsLimit, 4096);
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  });

  it('keeps a running task across a server restart (re-attached by label, not started twice)', async () => {
    const arn = await run('web');
    const before = await waitForTask(ecs, cluster, arn, isRunning);
    const runtimeId = before.containers![0]!.runtimeId!;
    const { dataDir } = server;
    await server.close();
    server = await startTestServer({}, { dataDir });
    ecs.destroy();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const after = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(after.lastStatus, 'RUNNING');
    assert.equal(after.containers?.[0]?.runtimeId, runtimeId);
    assert.equal((await inspect(docker, runtimeId)).State.Running, true);
    const siblings = await docker.docker(['ps', '-q', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`]);
    assert.equal(siblings.stdout.trim().split(/\s+/).length, 2, 'the web container and its pause container, once');
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  });
});
