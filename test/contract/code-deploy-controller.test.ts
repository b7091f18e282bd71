import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejectsWith } from '../../testing/assertions.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createHttpLoadBalancer, registerVersionedWeb } from '../../testing/load-balancer.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

// A service with the CODE_DEPLOY deployment controller, as ECS's API shows it: CreateService starts
// its first task set (real tasks, registered in the service's target group), DescribeServices shows
// taskSets and no deployments, UpdateService refuses what CodeDeploy does, with ECS's messages,
// and takes the desired count. Berth has no CodeDeploy: the test plays its part with the task set
// calls CodeDeploy makes (green task set, switch of the primary, blue deleted).

const skip = dockerSkipReason() || busyboxSkipReason();

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('a service with the CODE_DEPLOY deployment controller (FARGATE)', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const docker = new DockerSession();
  const cluster = `codedeploy-${randomBytes(4).toString('hex')}`;
  const service = 'web';
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
  let image: string;

  const runningTasksOf = (taskSet: string, count: number): Promise<Task[]> =>
    waitFor(`${count} RUNNING tasks of ${taskSet}`, async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, startedBy: taskSet }));
      if (taskArns.length !== count) return undefined;
      if (count === 0) return [];
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      return tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
    });

  before(async () => {
    server = await startTestServer();
    const clientOf = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(clientOf);
    elb = new ElasticLoadBalancingV2Client(clientOf);
    ({ tag: image } = await docker.buildBusyboxImage(`berth-codedeploy-${randomBytes(4).toString('hex')}:1`));
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  after(async () => {
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('starts with one PRIMARY task set of real tasks behind the load balancer, and no deployments', async () => {
    const blueGroup = await createHttpLoadBalancer(elb, `${cluster}-blue`, {
      targetType: 'ip',
      port: 8080,
      healthCheckPath: '/health',
    });
    const greenGroup = await createHttpLoadBalancer(elb, `${cluster}-green`, {
      targetType: 'ip',
      port: 8080,
      healthCheckPath: '/health',
    });
    const v1 = await registerVersionedWeb(ecs, { family: `${cluster}-web`, image, version: 'v1' });
    const v2 = await registerVersionedWeb(ecs, { family: `${cluster}-web`, image, version: 'v2' });
    const loadBalancers = [{ targetGroupArn: blueGroup.targetGroupArn, containerName: 'web', containerPort: 8080 }];
    const { service: created } = await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: v1,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers,
        deploymentController: { type: 'CODE_DEPLOY' },
      }),
    );
    assert.deepEqual(created!.deploymentController, { type: 'CODE_DEPLOY' });
    assert.deepEqual(created!.deployments, []);
    const [blue] = created!.taskSets!;
    assert.equal(created!.taskSets!.length, 1);
    assert.equal(blue!.status, 'PRIMARY');
    assert.equal(blue!.taskDefinition, v1);
    assert.deepEqual(blue!.scale, { unit: 'PERCENT', value: 100 });
    assert.deepEqual(blue!.loadBalancers, loadBalancers);
    assert.equal(blue!.computedDesiredCount, 2);

    await runningTasksOf(blue!.id!, 2);
    await waitFor('2 healthy blue targets', async () => {
      const { TargetHealthDescriptions: targets = [] } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: blueGroup.targetGroupArn }),
      );
      return targets.filter((t) => t.TargetHealth?.State === 'healthy').length === 2 ? true : undefined;
    });
    assert.equal(await (await fetch(blueGroup.url)).text(), 'v1\n');

    // UpdateService: what CodeDeploy owns is refused, in ECS's words, even unchanged.
    const refused: [Record<string, unknown>, RegExp][] = [
      [
        { taskDefinition: v2 },
        /^Unable to update task definition on services with a CODE_DEPLOY deployment controller\. Use AWS CodeDeploy to trigger a new deployment\.$/,
      ],
      [{ networkConfiguration: network }, /^Unable to update network parameters on services with a CODE_DEPLOY/],
      // Berth refuses loadBalancers on every UpdateService (member table), before the controller is known.
      [{ loadBalancers }, /loadBalancers/],
      [{ forceNewDeployment: true }, /CODE_DEPLOY deployment controller/],
    ];
    for (const [change, message] of refused)
      await rejectsWith(
        ecs.send(new UpdateServiceCommand({ cluster, service, ...change })),
        'InvalidParameterException',
        message,
      );

    // The desired count is the service's: the primary task set follows it (1 x 100% = 1).
    const { service: scaled } = await ecs.send(
      new UpdateServiceCommand({ cluster, service, desiredCount: 1, healthCheckGracePeriodSeconds: 10 }),
    );
    assert.deepEqual(scaled!.deployments, []);
    assert.equal(scaled!.taskSets![0]!.computedDesiredCount, 1);
    await runningTasksOf(blue!.id!, 1);

    // CodeDeploy's part, played with its ECS calls: green at 100% in the other target group, the
    // primary switched, blue scaled to 0% and deleted.
    const { taskSet: green } = await ecs.send(
      new CreateTaskSetCommand({
        cluster,
        service,
        taskDefinition: v2,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers: [{ targetGroupArn: greenGroup.targetGroupArn, containerName: 'web', containerPort: 8080 }],
        scale: { unit: 'PERCENT', value: 100 },
      }),
    );
    assert.equal(green!.status, 'ACTIVE');
    await runningTasksOf(green!.id!, 1);
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster, service, primaryTaskSet: green!.id! }));
    await ecs.send(
      new UpdateTaskSetCommand({ cluster, service, taskSet: blue!.id!, scale: { unit: 'PERCENT', value: 0 } }),
    );
    await ecs.send(new DeleteTaskSetCommand({ cluster, service, taskSet: blue!.id! }));
    await runningTasksOf(blue!.id!, 0);
    await waitFor('blue gone', async () => {
      const { taskSets = [] } = await ecs.send(new DescribeTaskSetsCommand({ cluster, service }));
      return taskSets.length === 1 ? true : undefined;
    });
    const [after] = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services!;
    assert.equal(after!.taskDefinition, v2);
    assert.equal(after!.loadBalancers![0]!.targetGroupArn, greenGroup.targetGroupArn);
    assert.deepEqual(
      after!.taskSets!.map((s) => [s.id, s.status]),
      [[green!.id, 'PRIMARY']],
    );
    assert.deepEqual(after!.deployments, []);
    await waitFor('green serving', async () =>
      (await (await fetch(greenGroup.url)).text()) === 'v2\n' ? true : undefined,
    );
  });

  it('refuses a DAEMON service and a change of controller', async () => {
    await rejectsWith(
      ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: 'daemon',
          taskDefinition: `${cluster}-web`,
          schedulingStrategy: 'DAEMON',
          deploymentController: { type: 'CODE_DEPLOY' },
        }),
      ),
      'InvalidParameterException',
      /daemon scheduling strategy does not support the CODE_DEPLOY deployment controller/,
    );
    await rejectsWith(
      ecs.send(new UpdateServiceCommand({ cluster, service, deploymentController: { type: 'ECS' } })),
      'InvalidParameterException',
      /CODE_DEPLOY/,
    );
  });
});
