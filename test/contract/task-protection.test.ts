import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  GetTaskProtectionCommand,
  ListTasksCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
} from '@aws-sdk/client-ecs';
import { rejectsWith } from '../../testing/assertions.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { registerVersionedWeb } from '../../testing/load-balancer.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('task scale-in protection', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `protect-${randomBytes(4).toString('hex')}`;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
  let definition: string;

  const running = async (): Promise<string[]> =>
    (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web', desiredStatus: 'RUNNING' }))).taskArns ?? [];
  /** Until the service has `count` tasks wanted RUNNING, all RUNNING, and says so. */
  const waitRunning = async (count: number): Promise<string[]> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const arns = await running();
      const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
      if (arns.length === count && service.runningCount === count) return arns;
      assert.ok(Date.now() < deadline, `not ${count} running: ${JSON.stringify(arns)} ${service.runningCount}`);
      await sleep(250);
    }
  };

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const image = (await docker.buildBusyboxImage(`berth-protect-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    definition = await registerVersionedWeb(ecs, { family: `${cluster}-web`, image, version: 'v1' });
  });
  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('keeps the protected task of a service scaled from 2 to 1 running', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: definition,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    const [first, second] = await waitRunning(2);
    // The newest task is the one a scale-in stops first: protect that one.
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [first!, second!] }));
    const newest = [...tasks].sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime())[0]!.taskArn!;
    const before = Date.now();
    const update = await ecs.send(
      new UpdateTaskProtectionCommand({ cluster, tasks: [newest], protectionEnabled: true, expiresInMinutes: 60 }),
    );
    assert.deepEqual(update.failures, []);
    assert.equal(update.protectedTasks?.[0]?.taskArn, newest);
    assert.equal(update.protectedTasks?.[0]?.protectionEnabled, true);
    const expires = update.protectedTasks![0]!.expirationDate!.getTime();
    assert.ok(Math.abs(expires - (before + 60 * 60_000)) < 30_000, `expires ${new Date(expires).toISOString()}`);

    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 1 }));
    assert.deepEqual(await waitRunning(1), [newest]);
    // A few more passes: it stays.
    await sleep(2_000);
    assert.deepEqual(await running(), [newest]);
  });

  it('answers protection per task, and ECS failures for an unknown task and a standalone one', async () => {
    const [arn] = await running();
    const { tasks: [standalone] = [] } = await ecs.send(
      new RunTaskCommand({ cluster, taskDefinition: definition, launchType: 'FARGATE', networkConfiguration: network }),
    );
    const missing = `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/0123456789abcdef0123456789abcdef`;
    const got = await ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [arn!, missing] }));
    assert.equal(got.protectedTasks?.[0]?.protectionEnabled, true);
    assert.deepEqual(got.failures, [{ arn: missing, reason: 'MISSING' }]);
    const refused = await ecs.send(
      new UpdateTaskProtectionCommand({ cluster, tasks: [standalone!.taskArn!], protectionEnabled: true }),
    );
    assert.deepEqual(refused.protectedTasks, []);
    assert.equal(refused.failures?.[0]?.reason, 'TASK_NOT_VALID');
    await rejectsWith(
      ecs.send(
        new UpdateTaskProtectionCommand({ cluster, tasks: [arn!], protectionEnabled: true, expiresInMinutes: 2881 }),
      ),
      'InvalidParameterException',
    );
    await rejectsWith(
      ecs.send(new GetTaskProtectionCommand({ cluster: 'no-such-cluster', tasks: [arn!] })),
      'ClusterNotFoundException',
    );
  });

  it('lets the scale-in proceed once protection is cleared', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 2 }));
    const arns = await waitRunning(2);
    await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: arns, protectionEnabled: true }));
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 0 }));
    await sleep(2_000);
    assert.equal((await running()).length, 2);
    const cleared = await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: arns, protectionEnabled: false }));
    assert.deepEqual(
      cleared.protectedTasks?.map((t) => [t.protectionEnabled, t.expirationDate]),
      [
        [false, undefined],
        [false, undefined],
      ],
    );
    await waitRunning(0);
  });
});
