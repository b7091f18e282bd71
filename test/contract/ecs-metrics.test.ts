import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

interface Datapoint {
  Timestamp: string;
  Average: number;
  Minimum: number;
  Maximum: number;
  SampleCount: number;
  Unit: string;
}

/**
 * AWS/ECS metrics from real containers' stats: managed capacity samples its tasks (every second
 * here, BERTH_METRICS_PUBLISH_MS=1000, instead of ECS's 20 s) and the server writes each minute
 * so far every second; CloudWatch's period is still 60 s.
 */
describe('AWS/ECS CPUUtilization and MemoryUtilization of FARGATE services', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let cloudwatch: ReturnType<typeof awsCliFor>;
  const docker = new DockerSession();
  const cluster = `metrics-${randomBytes(4).toString('hex')}`;
  const network = { awsvpcConfiguration: { subnets: ['subnet-0123'] } };

  before(async () => {
    server = await startTestServer({ BERTH_METRICS_PUBLISH_MS: '1000' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    cloudwatch = awsCliFor(server, 'cloudwatch');
    const { tag: image } = await docker.buildBusyboxImage(`berth-metrics-${randomBytes(4).toString('hex')}:1`);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const [name, command] of [
      ['burn', ['sh', '-c', 'while :; do :; done']],
      ['idle', ['sleep', '600']],
    ] as const) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `${cluster}-${name}`,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          // A quarter of a CPU, and Fargate's limit: a busy loop uses all of it.
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name, image, command: [...command], stopTimeout: 1 }],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: name,
          taskDefinition: `${cluster}-${name}`,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: network,
        }),
      );
    }
  });
  after(async () => {
    for (const service of ['burn', 'idle'])
      await ecs?.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => {});
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  /** The service's datapoints of the last 10 minutes, once `ready` holds for one (90 s at most). */
  async function datapoints(metric: string, service: string, ready: (point: Datapoint) => boolean) {
    const deadline = Date.now() + 90_000;
    let last: Datapoint[] = [];
    while (Date.now() < deadline) {
      const answer = await cloudwatch.json<{ Datapoints: Datapoint[] }>(
        'get-metric-statistics',
        '--namespace',
        'AWS/ECS',
        '--metric-name',
        metric,
        '--dimensions',
        `Name=ClusterName,Value=${cluster}`,
        `Name=ServiceName,Value=${service}`,
        '--start-time',
        new Date(Date.now() - 600_000).toISOString(),
        '--end-time',
        new Date(Date.now() + 60_000).toISOString(),
        '--period',
        '60',
        '--statistics',
        'Average',
        'Minimum',
        'Maximum',
        'SampleCount',
      );
      last = answer.Datapoints;
      if (last.some(ready)) return last;
      await sleep(1000);
    }
    throw new Error(`no ${metric} datapoint of ${service} got there; last seen ${JSON.stringify(last)}`);
  }

  it('shows the busy service near its reservation and the idle one near nothing', async () => {
    // 256 units reserved, all of them used: about 100% (a loaded host gives it less).
    const burn = await datapoints('CPUUtilization', 'burn', (p) => p.Maximum > 50);
    const busiest = burn.find((p) => p.Maximum > 50)!;
    assert.equal(busiest.Unit, 'Percent');
    assert.equal(new Date(busiest.Timestamp).getTime() % 60_000, 0);
    const idle = await datapoints('CPUUtilization', 'idle', () => true);
    assert.ok(
      idle.every((p) => p.Average < 10),
      `idle: ${JSON.stringify(idle)}`,
    );
    // A few hundred KiB of busybox against 512 MiB
    const memory = await datapoints('MemoryUtilization', 'idle', () => true);
    assert.ok(
      memory.every((p) => p.Average >= 0 && p.Average < 5),
      JSON.stringify(memory),
    );
  });

  it('lists the metrics with their dimensions, and none per cluster for a FARGATE-only cluster', async () => {
    const listed = await cloudwatch.json<{ Metrics: { MetricName: string; Dimensions: { Value: string }[] }[] }>(
      'list-metrics',
      '--namespace',
      'AWS/ECS',
      '--dimensions',
      `Name=ClusterName,Value=${cluster}`,
    );
    const names = listed.Metrics.map((m) => `${m.MetricName} ${m.Dimensions.map((d) => d.Value).join('/')}`).sort();
    assert.deepEqual(names, [
      `CPUUtilization ${cluster}/burn`,
      `CPUUtilization ${cluster}/idle`,
      `MemoryUtilization ${cluster}/burn`,
      `MemoryUtilization ${cluster}/idle`,
    ]);
  });
});
