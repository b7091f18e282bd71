import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterContainerInstanceCommand,
  StartTaskCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { FakeClock } from '../../src/shared/clock.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';
import { isStopped, waitForTask } from '../../testing/tasks.ts';

describe('ECS task and agent lifetimes (with a clock the test moves)', () => {
  const clock = new FakeClock(new Date());
  let server: TestServer;
  // The SDK signs with its own clock: it is told how far the server's has moved.
  const client = () =>
    new ECSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
      systemClockOffset: clock.now().getTime() - Date.now(),
    });

  before(async () => {
    // No engine for managed capacity: FARGATE tasks stop at once, with the reason.
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off' }, { clock });
    const ecs = client();
    await ecs.send(new CreateClusterCommand({ clusterName: 'life' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'life',
        requiresCompatibilities: ['FARGATE', 'EC2'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'busybox' }],
      }),
    );
    ecs.destroy();
  });
  after(async () => {
    await server.stop();
  });

  it('stops a FARGATE task with a clear reason when there is no managed capacity', async () => {
    const ecs = client();
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: 'life',
        taskDefinition: 'life',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    const task = await waitForTask(ecs, 'life', tasks![0]!.taskArn!, isStopped, 10_000);
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.match(task.stoppedReason ?? '', /^ResourceInitializationError: managed capacity is off/);
    ecs.destroy();
  });

  it('keeps stopped tasks describable for an hour, then forgets them', async () => {
    let ecs = client();
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: 'life',
        taskDefinition: 'life',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    const arn = tasks![0]!.taskArn!;
    await waitForTask(ecs, 'life', arn, isStopped, 10_000);
    clock.advance(59 * 60 * 1000);
    assert.equal(await server.pruneStoppedTasks(), 0);
    clock.advance(2 * 60 * 1000);
    assert.ok((await server.pruneStoppedTasks()) >= 1);
    ecs.destroy();
    ecs = client();
    const { failures } = await ecs.send(new DescribeTasksCommand({ cluster: 'life', tasks: [arn] }));
    assert.deepEqual(failures, [{ arn, reason: 'MISSING' }]);
    ecs.destroy();
  });

  it('shows an agent that missed its heartbeats as disconnected, and places nothing on it', async () => {
    let ecs = client();
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'life',
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
        ],
        attributes: [
          { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
          { name: 'ecs.capability.task-eni' },
        ],
      }),
    );
    const arn = containerInstance!.containerInstanceArn!;
    clock.advance(61 * 1000);
    ecs.destroy();
    ecs = client();
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'life', containerInstances: [arn] }),
    );
    assert.equal(containerInstances?.[0]?.agentConnected, false);
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster: 'life',
        taskDefinition: 'life',
        launchType: 'EC2',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    assert.deepEqual(tasks, []);
    assert.equal(failures?.[0]?.arn, arn);
    ecs.destroy();
  });
  it('deregisters an instance with force: its tasks are orphaned (STOPPED) with it, in one go', async () => {
    const ecs = client();
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'life',
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
        ],
        attributes: [
          { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
          { name: 'ecs.capability.task-eni' },
        ],
      }),
    );
    const arn = containerInstance!.containerInstanceArn!;
    const { tasks } = await ecs.send(
      new StartTaskCommand({
        cluster: 'life',
        taskDefinition: 'life',
        containerInstances: [arn],
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    const taskArn = tasks![0]!.taskArn!;
    await rejectsWith(
      ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'life', containerInstance: arn })),
      'InvalidParameterException',
    );
    const { containerInstance: gone } = await ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: 'life', containerInstance: arn, force: true }),
    );
    assert.equal(gone?.status, 'INACTIVE');
    const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: 'life', tasks: [taskArn] }))).tasks!;
    assert.equal(task?.lastStatus, 'STOPPED');
    assert.match(task?.stoppedReason ?? '', /deregistration forced/);
    ecs.destroy();
  });
});

describe('ECS quotas an operator changed (BERTH_ECS_QUOTAS)', () => {
  let server: TestServer;
  let ecs: ECSClient;
  before(async () => {
    server = await startTestServer({
      BERTH_MANAGED_CAPACITY: 'off',
      BERTH_ECS_QUOTAS: '{"tasksPerRunTask": 2, "servicesPerCluster": 1, "placementStrategies": 1}',
    });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'q' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'q',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'busybox' }],
      }),
    );
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  it('refuses what goes past them, with the errors AWS gives', async () => {
    const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
    await rejectsWith(
      ecs.send(
        new RunTaskCommand({
          cluster: 'q',
          taskDefinition: 'q',
          launchType: 'FARGATE',
          count: 3,
          networkConfiguration: network,
        }),
      ),
      'InvalidParameterException',
      /between 1 and 2/,
    );
    await rejectsWith(
      ecs.send(
        new RunTaskCommand({
          cluster: 'q',
          taskDefinition: 'q',
          launchType: 'EC2',
          placementStrategy: [{ type: 'random' }, { type: 'random' }],
          networkConfiguration: network,
        }),
      ),
      'InvalidParameterException',
      /placement strategies is 1/,
    );
    const service = (name: string) =>
      ecs.send(
        new CreateServiceCommand({
          cluster: 'q',
          serviceName: name,
          taskDefinition: 'q',
          launchType: 'FARGATE',
          networkConfiguration: network,
        }),
      );
    await service('one');
    await rejectsWith(service('two'), 'InvalidParameterException', /at most 1 services/);
  });
});
