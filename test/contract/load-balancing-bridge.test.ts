import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHttpLoadBalancer, SteadyClient } from '../../testing/load-balancer.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('an EC2 service in bridge mode behind an instance target group', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let agent: AgentProcess | undefined;
  const docker = new DockerSession();
  const work = mkdtempSync(join(tmpdir(), 'berth-lb-bridge-'));
  const cluster = `lbb-${randomBytes(4).toString('hex')}`;
  let image: string;
  let url: string;
  let targetGroupArn: string;

  const register = async (version: string) => {
    const serve = `mkdir -p /www && echo ${version} > /www/index.html && httpd -f -p 8080 -h /www`;
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-web`,
        networkMode: 'bridge',
        containerDefinitions: [
          {
            name: 'web',
            image,
            memory: 64,
            cpu: 64,
            command: ['sh', '-c', serve],
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
            stopTimeout: 2,
          },
        ],
      }),
    );
    return taskDefinition!.taskDefinitionArn!;
  };
  const targets = async (): Promise<TargetHealthDescription[]> =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ??
    [];
  const waitSettled = async (desired: number) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
      const now = await targets();
      if (
        service.deployments?.length === 1 &&
        service.deployments[0]!.rolloutState === 'COMPLETED' &&
        service.runningCount === desired &&
        now.length === desired &&
        now.every((d) => d.TargetHealth?.State === 'healthy')
      )
        return now;
      assert.ok(Date.now() < deadline, `not settled: ${JSON.stringify({ d: service.deployments, now })}`);
      await sleep(250);
    }
  };

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' });
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    image = (await docker.buildBusyboxImage(`berth-lbb-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
      },
      ['--cluster', cluster, '--cpu', '1024', '--memory', '1024', '--data-dir', join(work, 'agent')],
    );
    ({ targetGroupArn, url } = await createHttpLoadBalancer(elb, cluster, { targetType: 'instance', port: 80 }));
  });
  after(async () => {
    agent?.child.kill('SIGTERM');
    await agent?.exited;
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('registers each task as the instance and its dynamic host port, and rolls out with zero failed requests', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: await register('v1'),
        desiredCount: 2,
        launchType: 'EC2',
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
      }),
    );
    const registered = await waitSettled(2);
    const { containerInstances = [] } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: [agent!.containerInstanceArn] }),
    );
    const instanceId = containerInstances[0]!.ec2InstanceId;
    assert.ok(registered.every((d) => d.Target?.Id === instanceId));
    const ports = registered.map((d) => d.Target!.Port!);
    assert.equal(new Set(ports).size, 2);
    assert.ok(
      ports.every((p) => p >= 32768),
      `dynamic host ports: ${ports.join(', ')}`,
    );

    const client = new SteadyClient(url);
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: await register('v2') }));
    await waitSettled(2);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.equal(client.bodies.at(-1), 'v2');
  });
});
