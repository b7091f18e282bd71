import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import {
  inspect,
  isRunning,
  isStopped,
  removeContainersLabelled,
  waitForTask,
  removeClusterContainers,
} from '../../testing/tasks.ts';

// The task metadata endpoint as containers see it: each task's container fetches its documents with
// busybox wget from ECS_CONTAINER_METADATA_URI_V4 into /tmp, and the test reads them back.

const skip = dockerSkipReason() || busyboxSkipReason();

/** Fetches each document (retrying while the endpoint does not answer yet), then marks /tmp/done. */
const FETCH = [
  'mkdir -p /tmp',
  'fetch() { for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO "$2" "$1" && return; sleep 0.5; done; }',
  'fetch "$ECS_CONTAINER_METADATA_URI_V4/task" /tmp/task.json',
  'fetch "$ECS_CONTAINER_METADATA_URI_V4" /tmp/container.json',
  'fetch "$ECS_CONTAINER_METADATA_URI_V4/stats" /tmp/stats.json',
  'fetch "$ECS_CONTAINER_METADATA_URI_V4/task/stats" /tmp/task-stats.json',
  'fetch "$ECS_CONTAINER_METADATA_URI/task" /tmp/task-v3.json',
  'touch /tmp/done',
  'sleep 600',
].join('; ');

interface Documents {
  task: TaskDocument;
  container: ContainerDocument;
  stats: Record<string, unknown>;
  taskStats: Record<string, unknown>;
  taskV3: TaskDocument;
}

interface ContainerDocument {
  DockerId: string;
  Name: string;
  DockerName: string;
  ImageID: string;
  KnownStatus: string;
  Type: string;
  ContainerARN?: string;
  Labels: Record<string, string>;
  Limits: { CPU: number; Memory: number };
  Ports?: { ContainerPort: number; HostPort: number; Protocol: string }[];
  Networks: { NetworkMode: string; IPv4Addresses: string[]; MACAddress?: string; IPv4SubnetCIDRBlock?: string }[];
}

interface TaskDocument {
  Cluster: string;
  TaskARN: string;
  Family: string;
  Revision: string;
  LaunchType?: string;
  AvailabilityZone: string;
  Limits?: { CPU: number; Memory: number };
  Containers: ContainerDocument[];
}

describe('the task metadata endpoint, from inside containers', { skip, timeout: 240_000 }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `meta-${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'berth-meta-'));
  let agent: AgentProcess | undefined;
  let image: string;

  /** Waits for /tmp/done in the container, then reads the documents it fetched. */
  async function documentsOf(runtimeId: string): Promise<Documents> {
    const read = async (file: string) => {
      const result = await docker.docker(['exec', runtimeId, '/bin/busybox', 'cat', `/tmp/${file}`]);
      assert.equal(result.code, 0, `cat /tmp/${file}: ${result.stderr}`);
      return JSON.parse(result.stdout) as never;
    };
    for (let attempt = 0; ; attempt += 1) {
      const done = await docker.docker(['exec', runtimeId, '/bin/busybox', 'test', '-e', '/tmp/done']);
      if (done.code === 0) break;
      if (attempt > 60) throw new Error('the container did not fetch its metadata in 30 s');
      await sleep(500);
    }
    return {
      task: await read('task.json'),
      container: await read('container.json'),
      stats: await read('stats.json'),
      taskStats: await read('task-stats.json'),
      taskV3: await read('task-v3.json'),
    };
  }

  /** The container's ECS_CONTAINER_METADATA_URI_V4, fetched from the host. */
  async function endpointOf(runtimeId: string): Promise<string> {
    const env = (await inspect(docker, runtimeId)).Config.Env;
    const uri = env.find((e) => e.startsWith('ECS_CONTAINER_METADATA_URI_V4='))?.split('=')[1];
    assert.ok(uri, JSON.stringify(env));
    return uri;
  }

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-meta-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });

  after(async () => {
    agent?.child.kill('SIGKILL');
    ecs?.destroy();
    await server?.stop();
    await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${cluster}`);
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves a FARGATE task its v4 documents on the awsvpc network, and v3 beside them', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-fargate`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image,
            command: ['sh', '-c', FETCH],
            stopTimeout: 2,
            portMappings: [{ containerPort: 8080 }],
            dockerLabels: { team: 'web' },
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `${cluster}-fargate`,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
      }),
    );
    const arn = tasks![0]!.taskArn!;
    const task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    const described = task.containers![0]!;
    const docs = await documentsOf(described.runtimeId!);

    assert.equal(docs.task.TaskARN, arn);
    assert.equal(docs.task.Cluster, task.clusterArn);
    assert.equal(docs.task.Family, `${cluster}-fargate`);
    assert.equal(docs.task.Revision, '1');
    assert.equal(docs.task.LaunchType, 'FARGATE');
    assert.equal(docs.task.AvailabilityZone, task.availabilityZone);
    assert.deepEqual(docs.task.Limits, { CPU: 0.25, Memory: 512 });
    assert.equal(docs.task.Containers.length, 1, 'the pause container is not listed');
    const [listed] = docs.task.Containers;
    assert.equal(listed!.DockerId, described.runtimeId);
    assert.equal(listed!.Name, 'app');
    assert.equal(listed!.ContainerARN, described.containerArn);
    assert.equal(listed!.Labels.team, 'web');
    assert.equal(listed!.Labels['com.amazonaws.ecs.task-arn'], arn);
    assert.deepEqual(listed!.Ports, [{ ContainerPort: 8080, Protocol: 'tcp', HostPort: 8080 }]);
    const [network] = listed!.Networks;
    const ip = described.networkInterfaces?.[0]?.privateIpv4Address;
    assert.equal(network?.NetworkMode, 'awsvpc');
    assert.deepEqual(network?.IPv4Addresses, [ip]);
    assert.match(network?.MACAddress ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.match(network?.IPv4SubnetCIDRBlock ?? '', /^\d+\.\d+\.\d+\.\d+\/\d+$/);

    const inspected = await inspect(docker, described.runtimeId!);
    assert.equal(docs.container.DockerId, described.runtimeId);
    assert.match(docs.container.ImageID, /^sha256:[0-9a-f]{64}$/);
    assert.match(docs.container.DockerName, new RegExp(`^ecs-${cluster}-fargate-1-app-`));
    assert.equal(docs.container.Type, 'NORMAL');
    assert.equal(inspected.State.Running, true);
    assert.ok('cpu_stats' in docs.stats && 'memory_stats' in docs.stats, Object.keys(docs.stats).join());
    assert.ok('networks' in docs.stats, 'the sandbox’s network counters');
    assert.deepEqual(Object.keys(docs.taskStats), [described.runtimeId]);
    assert.equal(docs.taskV3.TaskARN, arn);
    assert.equal(docs.taskV3.LaunchType, undefined);
    assert.equal(docs.taskV3.Containers[0]!.ContainerARN, undefined);

    // From the host: another task's token does not open this task, and unknown paths answer JSON.
    const uri = await endpointOf(described.runtimeId!);
    const forged = uri.replace(/-([0-9a-f]+)\/app$/, '-0000000000000000/app');
    const refused = await fetch(forged);
    assert.equal(refused.status, 404);
    assert.equal(typeof (await refused.json()), 'string');
    const unknown = await fetch(`${uri}/nothing`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/json');

    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  });

  it('serves a bridge task of `berth agent` on the docker bridge, and again after the agent restarts', async () => {
    const configFile = join(work, 'agent.config');
    writeFileSync(configFile, `ECS_CLUSTER=${cluster}\nECS_CONTAINER_STOP_TIMEOUT=2s\n`);
    const start = () =>
      spawnAgent(
        {
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
          BERTH_ENDPOINT: server.url,
        },
        ['--config-file', configFile, '--availability-zone', 'us-east-1c', '--data-dir', join(work, 'agent')],
      );
    agent = await start();
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-bridge`,
        containerDefinitions: [
          {
            name: 'web',
            image,
            memory: 64,
            cpu: 16,
            command: ['sh', '-c', FETCH],
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-bridge` }));
    const arn = tasks![0]!.taskArn!;
    const task: Task = await waitForTask(ecs, cluster, arn, isRunning);
    assert.equal(task.lastStatus, 'RUNNING', task.stoppedReason);
    const described = task.containers![0]!;
    const docs = await documentsOf(described.runtimeId!);

    assert.equal(docs.task.Cluster, cluster);
    assert.equal(docs.task.TaskARN, arn);
    assert.equal(docs.task.LaunchType, 'EC2');
    assert.equal(docs.task.AvailabilityZone, 'us-east-1c');
    assert.equal(docs.task.Limits, undefined);
    const [listed] = docs.task.Containers;
    assert.equal(listed!.DockerId, described.runtimeId);
    assert.deepEqual(listed!.Limits, { CPU: 16, Memory: 64 });
    const bridgeAddress = await docker.docker([
      'inspect',
      '--format',
      '{{.NetworkSettings.Networks.bridge.IPAddress}}',
      described.runtimeId!,
    ]);
    assert.deepEqual(listed!.Networks, [{ NetworkMode: 'bridge', IPv4Addresses: [bridgeAddress.stdout.trim()] }]);
    const binding = described.networkBindings![0]!;
    assert.deepEqual(listed!.Ports?.[0], {
      ContainerPort: 8080,
      Protocol: 'tcp',
      HostPort: binding.hostPort,
      HostIp: binding.bindIP,
    });

    // The container keeps its URI for life: a restarted agent answers on the same port and token.
    agent.child.kill('SIGKILL');
    await agent.exited;
    agent = await start();
    await waitForTask(ecs, cluster, arn, isRunning);
    const uri = await endpointOf(described.runtimeId!);
    let again: ContainerDocument | undefined;
    for (let attempt = 0; attempt < 40 && !again; attempt += 1) {
      const fetched = await docker.docker(['exec', described.runtimeId!, '/bin/busybox', 'wget', '-qO-', uri]);
      if (fetched.code === 0) again = JSON.parse(fetched.stdout) as ContainerDocument;
      else await sleep(500);
    }
    assert.equal(again?.DockerId, described.runtimeId);
    assert.equal(again?.KnownStatus, 'RUNNING');

    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitForTask(ecs, cluster, arn, isStopped);
  });
});
