import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTasksCommand,
  TagResourceCommand,
  RegisterTaskDefinitionCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type Task,
  type TaskSet,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createHttpLoadBalancer, registerVersionedWeb } from '../../testing/load-balancer.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { rejectsWith } from '../../testing/assertions.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

/** Polls until `check` answers a value, at most `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('task sets of a service with the EXTERNAL deployment controller (FARGATE)', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let image: string;
  const docker = new DockerSession();
  const cluster = `sets-${randomBytes(4).toString('hex')}`;
  const service = 'web';
  const network = { awsvpcConfiguration: { subnets: ['subnet-0123'] } };
  let family: string;

  const taskSets = async (): Promise<TaskSet[]> =>
    (await ecs.send(new DescribeTaskSetsCommand({ cluster, service }))).taskSets ?? [];

  /** The tasks a task set started, wanted RUNNING, once there are `count` of them RUNNING. */
  const runningTasksOf = (taskSet: string, count: number): Promise<Task[]> =>
    waitFor(`${count} RUNNING tasks of ${taskSet}`, async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, startedBy: taskSet }));
      if (taskArns.length !== count) return undefined;
      if (count === 0) return [];
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      return tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
    });

  const steady = (id: string) =>
    waitFor(`task set ${id} STEADY_STATE`, async () => {
      const set = (await taskSets()).find((s) => s.id === id);
      return set?.stabilityStatus === 'STEADY_STATE' ? set : undefined;
    });

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    elb = new ElasticLoadBalancingV2Client({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    ({ tag: image } = await docker.buildBusyboxImage(`berth-sets-${randomBytes(4).toString('hex')}:1`));
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    family = `${cluster}-web`;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image, command: ['sleep', '600'], stopTimeout: 1 }],
      }),
    );
  });

  after(async () => {
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('runs blue, scales green from 0% to 100%, switches the primary and deletes blue', async () => {
    const created = await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        desiredCount: 2,
        deploymentController: { type: 'EXTERNAL' },
      }),
    );
    assert.equal(created.service!.taskDefinition, undefined);
    assert.deepEqual(created.service!.deployments, []);

    const create = (scale: number, externalId: string) =>
      ecs.send(
        new CreateTaskSetCommand({
          cluster,
          service,
          taskDefinition: family,
          launchType: 'FARGATE',
          networkConfiguration: network,
          scale: { unit: 'PERCENT', value: scale },
          externalId,
          tags: [{ key: 'color', value: externalId }],
        }),
      );
    const blue = (await create(100, 'blue')).taskSet!;
    assert.equal(blue.status, 'PRIMARY');
    assert.equal(blue.computedDesiredCount, 2);
    assert.match(blue.id!, /^ecs-svc\/\d{19}$/);
    assert.equal(blue.taskSetArn, `arn:aws:ecs:us-east-1:000000000000:task-set/${cluster}/${service}/${blue.id}`);
    const green = (await create(0, 'green')).taskSet!;
    assert.equal(green.status, 'ACTIVE');
    assert.equal(green.computedDesiredCount, 0);

    const blueTasks = await runningTasksOf(blue.id!, 2);
    for (const task of blueTasks) {
      assert.equal(task.startedBy, blue.id);
      assert.equal(task.group, `service:${service}`);
      assert.equal(task.launchType, 'FARGATE');
    }
    assert.equal((await steady(blue.id!)).runningCount, 2);
    assert.equal((await steady(green.id!)).runningCount, 0);

    const scaled = await ecs.send(
      new UpdateTaskSetCommand({ cluster, service, taskSet: green.id!, scale: { unit: 'PERCENT', value: 100 } }),
    );
    assert.equal(scaled.taskSet!.computedDesiredCount, 2);
    const greenTasks = await runningTasksOf(green.id!, 2);
    assert.ok(greenTasks.every((t) => t.startedBy === green.id));

    const primary = await ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster, service, primaryTaskSet: green.taskSetArn! }),
    );
    assert.equal(primary.taskSet!.status, 'PRIMARY');
    const described = await ecs.send(
      new DescribeTaskSetsCommand({ cluster, service, taskSets: [blue.id!, 'ecs-svc/0'], include: ['TAGS'] }),
    );
    assert.equal(described.taskSets![0]!.status, 'ACTIVE');
    assert.deepEqual(described.taskSets![0]!.tags, [{ key: 'color', value: 'blue' }]);
    assert.deepEqual(described.failures, [{ arn: 'ecs-svc/0', reason: 'MISSING' }]);
    await ecs.send(new TagResourceCommand({ resourceArn: green.taskSetArn!, tags: [{ key: 'stage', value: 'live' }] }));
    const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn: green.taskSetArn! }));
    assert.deepEqual(tags, [
      { key: 'color', value: 'green' },
      { key: 'stage', value: 'live' },
    ]);

    await rejectsWith(
      ecs.send(new DeleteTaskSetCommand({ cluster, service, taskSet: blue.id! })),
      'InvalidParameterException',
    );
    const deleted = await ecs.send(new DeleteTaskSetCommand({ cluster, service, taskSet: blue.id!, force: true }));
    assert.equal(deleted.taskSet!.status, 'DRAINING');
    await waitFor('blue tasks STOPPED', async () => {
      const { tasks = [] } = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: blueTasks.map((t) => t.taskArn!) }),
      );
      return tasks.every((t) => t.lastStatus === 'STOPPED') ? tasks : undefined;
    });
    await waitFor('blue gone', async () => ((await taskSets()).some((s) => s.id === blue.id) ? undefined : true));
    assert.equal((await steady(green.id!)).runningCount, 2);
    await rejectsWith(
      ecs.send(new UpdateTaskSetCommand({ cluster, service, taskSet: blue.id!, scale: { unit: 'PERCENT', value: 1 } })),
      'TaskSetNotFoundException',
    );
  });

  it('refuses task sets on a service with the ECS deployment controller', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'rolling',
        taskDefinition: family,
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    await rejectsWith(
      ecs.send(
        new CreateTaskSetCommand({
          cluster,
          service: 'rolling',
          taskDefinition: family,
          launchType: 'FARGATE',
          networkConfiguration: network,
        }),
      ),
      'InvalidParameterException',
      /deployment controller type is not EXTERNAL/,
    );
  });

  it("registers a task set's tasks in its own target group, follows the service's desired count, and drains", async () => {
    const { targetGroupArn, url } = await createHttpLoadBalancer(elb, `${cluster}-lb`, {
      targetType: 'ip',
      port: 8080,
      healthCheckPath: '/health',
    });
    const definition = await registerVersionedWeb(ecs, { family: `${cluster}-versioned`, image, version: 'v1' });
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'balanced',
        desiredCount: 1,
        deploymentController: { type: 'EXTERNAL' },
      }),
    );
    const { taskSet } = await ecs.send(
      new CreateTaskSetCommand({
        cluster,
        service: 'balanced',
        taskDefinition: definition,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
        scale: { unit: 'PERCENT', value: 50 },
      }),
    );
    // 1 task x 50% = 0.5 → 1
    assert.equal(taskSet!.computedDesiredCount, 1);
    const health = async () =>
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ??
      [];
    await waitFor('a healthy target', async () =>
      (await health()).some((t) => t.TargetHealth?.State === 'healthy') ? true : undefined,
    );
    assert.equal(await (await fetch(url)).text(), 'v1\n');

    // 3 tasks x 50% = 1.5 → 2
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'balanced', desiredCount: 3 }));
    const sets = (await ecs.send(new DescribeTaskSetsCommand({ cluster, service: 'balanced' }))).taskSets!;
    assert.equal(sets[0]!.computedDesiredCount, 2);
    const tasks = await waitFor('2 RUNNING tasks', async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, startedBy: taskSet!.id! }));
      if (taskArns.length !== 2) return undefined;
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      return tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
    });
    await waitFor('2 registered targets', async () => ((await health()).length === 2 ? true : undefined));

    await ecs.send(new DeleteTaskSetCommand({ cluster, service: 'balanced', taskSet: taskSet!.id!, force: true }));
    await waitFor('the targets deregistered', async () => ((await health()).length === 0 ? true : undefined));
    await waitFor('its tasks STOPPED', async () => {
      const { tasks: stopped = [] } = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: tasks.map((t) => t.taskArn!) }),
      );
      return stopped.every((t) => t.lastStatus === 'STOPPED') ? true : undefined;
    });
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'balanced', force: true }));
    await waitFor('the service INACTIVE', async () => {
      const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster, services: ['balanced'] }));
      return services[0]?.status === 'INACTIVE' ? true : undefined;
    });
  });
});
