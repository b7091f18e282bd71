import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  DiscoverPollEndpointCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  SubmitAttachmentStateChangesCommand,
  SubmitContainerStateChangeCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  SubmitTaskStateChangeCommand,
  DeregisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor } from '../../testing/aws-cli.ts';

describe('ECS tasks with the AWS SDK v3 (state reported as an agent would)', () => {
  let server: TestServer;
  let ecs: ECSClient;
  let instanceArn: string;
  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'work' }));
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'work',
        instanceIdentityDocument: JSON.stringify({ instanceId: 'i-0aaaaaaaaaaaaaaa1', availabilityZone: 'us-east-1a' }),
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 1000 },
        ],
        attributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
      }),
    );
    instanceArn = containerInstance!.containerInstanceArn!;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [
          {
            name: 'app',
            image: 'busybox',
            memory: 300,
            cpu: 256,
            portMappings: [{ containerPort: 80, hostPort: 0 }],
          },
        ],
        tags: [{ key: 'team', value: 'blue' }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'fg',
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

  let taskArn: string;

  it('runs a task on the instance: PENDING, with a dynamic host port, counted and reserved', async () => {
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster: 'work',
        taskDefinition: 'web',
        startedBy: 'tester',
        propagateTags: 'TASK_DEFINITION',
      }),
    );
    assert.deepEqual(failures, []);
    assert.equal(tasks?.length, 1);
    const task = tasks![0]!;
    taskArn = task.taskArn!;
    assert.match(taskArn, /^arn:aws:ecs:us-east-1:000000000000:task\/work\/[0-9a-f]{32}$/);
    assert.equal(task.lastStatus, 'PENDING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.equal(task.containerInstanceArn, instanceArn);
    assert.equal(task.launchType, 'EC2');
    assert.equal(task.group, 'family:web');
    assert.equal(task.containers?.[0]?.lastStatus, 'PENDING');
    assert.ok(task.createdAt instanceof Date);

    const [described] = (
      await ecs.send(new DescribeTasksCommand({ cluster: 'work', tasks: [taskArn], include: ['TAGS'] }))
    ).tasks!;
    assert.deepEqual(described?.tags, [{ key: 'team', value: 'blue' }]);
    await ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: 'run', value: '1' }] }));
    assert.equal((await ecs.send(new ListTagsForResourceCommand({ resourceArn: taskArn }))).tags?.length, 2);

    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['work'] }));
    assert.equal(clusters?.[0]?.pendingTasksCount, 1);
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'work', containerInstances: [instanceArn] }),
    );
    const instance = containerInstances![0]!;
    assert.equal(instance.pendingTasksCount, 1);
    assert.equal(instance.remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 700);
    assert.equal(instance.remainingResources?.find((r) => r.name === 'CPU')?.integerValue, 768);
    const ports = instance.remainingResources?.find((r) => r.name === 'PORTS')?.stringSetValue ?? [];
    assert.ok(
      ports.some((p) => Number(p) >= 49153),
      `a dynamic port is reserved: ${ports.join(',')}`,
    );
  });

  it('fails the copies that do not fit with RESOURCE:MEMORY, not with an error', async () => {
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({ cluster: 'work', taskDefinition: 'web', count: 3 }),
    );
    assert.equal(tasks?.length, 2, 'two more of 300 MiB fit in the 700 MiB left');
    assert.deepEqual(failures, [{ arn: instanceArn, reason: 'RESOURCE:MEMORY' }]);
    for (const task of tasks!) {
      await ecs.send(new StopTaskCommand({ cluster: 'work', task: task.taskArn! }));
      await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'work', task: task.taskArn!, status: 'STOPPED' }));
    }
  });

  it('follows the agent reports to RUNNING and ignores stale ones', async () => {
    await ecs.send(
      new SubmitTaskStateChangeCommand({
        cluster: 'work',
        task: taskArn,
        status: 'RUNNING',
        containers: [
          {
            containerName: 'app',
            status: 'RUNNING',
            runtimeId: 'abc123',
            networkBindings: [{ containerPort: 80, hostPort: 49153, protocol: 'tcp', bindIP: '0.0.0.0' }],
          },
        ],
      }),
    );
    let [task] = (await ecs.send(new DescribeTasksCommand({ cluster: 'work', tasks: [taskArn] }))).tasks!;
    assert.equal(task?.lastStatus, 'RUNNING');
    assert.ok(task?.startedAt instanceof Date);
    assert.equal(task?.containers?.[0]?.runtimeId, 'abc123');
    assert.equal(task?.containers?.[0]?.networkBindings?.[0]?.hostPort, 49153);
    assert.equal(
      (await ecs.send(new DescribeClustersCommand({ clusters: ['work'] }))).clusters?.[0]?.runningTasksCount,
      1,
    );

    // A stale report (PENDING after RUNNING) changes nothing.
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'work', task: taskArn, status: 'PENDING' }));
    [task] = (await ecs.send(new DescribeTasksCommand({ cluster: 'work', tasks: [taskArn] }))).tasks!;
    assert.equal(task?.lastStatus, 'RUNNING');
  });

  it('stops it on StopTask once the agent reports STOPPED, with the stop code and exit codes', async () => {
    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'work', task: taskArn, reason: 'enough' }));
    assert.equal(stopped.task?.desiredStatus, 'STOPPED');
    assert.equal(stopped.task?.lastStatus, 'RUNNING');
    assert.equal(stopped.task?.stopCode, 'UserInitiated');
    assert.ok(stopped.task?.stoppingAt instanceof Date);

    await ecs.send(
      new SubmitContainerStateChangeCommand({
        cluster: 'work',
        task: taskArn,
        containerName: 'app',
        status: 'STOPPED',
        exitCode: 143,
      }),
    );
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'work', task: taskArn, status: 'STOPPED' }));
    const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: 'work', tasks: [taskArn] }))).tasks!;
    assert.equal(task?.lastStatus, 'STOPPED');
    assert.equal(task?.stopCode, 'UserInitiated');
    assert.equal(task?.stoppedReason, 'enough');
    assert.equal(task?.containers?.[0]?.exitCode, 143);
    assert.ok(task?.stoppedAt instanceof Date && task.executionStoppedAt instanceof Date);

    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'work', containerInstances: [instanceArn] }),
    );
    assert.equal(containerInstances![0]!.remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 1000);
  });

  it('lists tasks by desired status, family, startedBy and instance, paginated', async () => {
    const running = await ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'web', startedBy: 'lister' }));
    const live = running.tasks![0]!.taskArn!;
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'work' }))).taskArns, [live]);
    const stopped = (await ecs.send(new ListTasksCommand({ cluster: 'work', desiredStatus: 'STOPPED' }))).taskArns!;
    assert.ok(stopped.includes(taskArn));
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'work', startedBy: 'lister' }))).taskArns, [live]);
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'work', family: 'nope' }))).taskArns, []);
    assert.deepEqual(
      (await ecs.send(new ListTasksCommand({ cluster: 'work', containerInstance: instanceArn }))).taskArns,
      [live],
    );
    const first = await ecs.send(new ListTasksCommand({ cluster: 'work', desiredStatus: 'STOPPED', maxResults: 1 }));
    assert.equal(first.taskArns?.length, 1);
    const second = await ecs.send(
      new ListTasksCommand({ cluster: 'work', desiredStatus: 'STOPPED', maxResults: 1, nextToken: first.nextToken }),
    );
    assert.notDeepEqual(second.taskArns, first.taskArns);
    // ListContainerInstances' filter sees the task's group now.
    const filtered = await ecs.send(
      new ListContainerInstancesCommand({ cluster: 'work', filter: 'task:group == family:web' }),
    );
    assert.deepEqual(filtered.containerInstanceArns, [instanceArn]);
  });

  it('refuses to delete the cluster or deregister the instance while tasks are active', async () => {
    await rejectsWith(
      ecs.send(new DeleteClusterCommand({ cluster: 'work' })),
      'ClusterContainsContainerInstancesException',
    );
    await rejectsWith(
      ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'work', containerInstance: instanceArn })),
      'InvalidParameterException',
      /Found running tasks/,
    );
  });

  it('returns the same tasks for a repeated clientToken', async () => {
    const once = await ecs.send(
      new RunTaskCommand({
        cluster: 'work',
        taskDefinition: 'fg',
        launchType: 'FARGATE',
        clientToken: 'tok-1',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    const twice = await ecs.send(
      new RunTaskCommand({
        cluster: 'work',
        taskDefinition: 'fg',
        launchType: 'FARGATE',
        clientToken: 'tok-1',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      }),
    );
    assert.equal(once.tasks?.[0]?.taskArn, twice.tasks?.[0]?.taskArn);
    const task = once.tasks![0]!;
    assert.equal(task.lastStatus, 'PROVISIONING');
    assert.equal(task.launchType, 'FARGATE');
    assert.equal(task.containerInstanceArn, undefined);
    assert.equal(task.attachments?.[0]?.type, 'ElasticNetworkInterface');
    assert.deepEqual(task.attachments?.[0]?.details, [{ name: 'subnetId', value: 'subnet-1' }]);
    const attachmentArn = `arn:aws:ecs:us-east-1:000000000000:attachment/${task.attachments![0]!.id}`;
    await ecs.send(
      new SubmitAttachmentStateChangesCommand({
        cluster: 'work',
        attachments: [{ attachmentArn, status: 'ATTACHED' }],
      }),
    );
    const [described] = (await ecs.send(new DescribeTasksCommand({ cluster: 'work', tasks: [task.taskArn!] }))).tasks!;
    assert.equal(described?.attachments?.[0]?.status, 'ATTACHED');
    await rejectsWith(
      ecs.send(
        new SubmitAttachmentStateChangesCommand({
          cluster: 'work',
          attachments: [{ attachmentArn: `${attachmentArn}0`, status: 'ATTACHED' }],
        }),
      ),
      'InvalidParameterException',
    );
  });

  it('refuses bad RunTask and StartTask calls the way ECS does', async () => {
    await rejectsWith(
      ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'web', count: 11 })),
      'InvalidParameterException',
    );
    await rejectsWith(
      ecs.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: 'web' })),
      'ClusterNotFoundException',
    );
    await rejectsWith(ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'missing' })), 'ClientException');
    await rejectsWith(
      ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'fg', launchType: 'FARGATE' })),
      'InvalidParameterException',
      /Network Configuration must be provided/,
    );
    await rejectsWith(
      ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'web', launchType: 'FARGATE' })),
      'InvalidParameterException',
      /does not support launch_type FARGATE/,
    );
    await rejectsWith(
      ecs.send(
        new RunTaskCommand({
          cluster: 'work',
          taskDefinition: 'web',
          overrides: { containerOverrides: [{ name: 'ghost', command: ['x'] }] },
        }),
      ),
      'InvalidParameterException',
      /ghost/,
    );
    await rejectsWith(
      ecs.send(
        new RunTaskCommand({
          cluster: 'work',
          taskDefinition: 'web',
          placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type ==' }],
        }),
      ),
      'InvalidParameterException',
    );
    await rejectsWith(
      ecs.send(
        new RunTaskCommand({
          cluster: 'work',
          taskDefinition: 'web',
          placementStrategy: Array(6).fill({ type: 'random' }),
        }),
      ),
      'InvalidParameterException',
    );
    const { failures } = await ecs.send(
      new StartTaskCommand({
        cluster: 'work',
        taskDefinition: 'web',
        containerInstances: ['0123456789abcdef0123456789abcdef'],
      }),
    );
    assert.equal(failures?.[0]?.reason, 'MISSING');
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'old',
        containerDefinitions: [{ name: 'a', image: 'b', memory: 10 }],
      }),
    );
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'old:1' }));
    await rejectsWith(
      ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'old:1' })),
      'ClientException',
      /inactive/,
    );
    const missing = await ecs.send(
      new DescribeTasksCommand({ cluster: 'work', tasks: ['0123456789abcdef0123456789abcdef'] }),
    );
    assert.equal(missing.failures?.[0]?.reason, 'MISSING');
  });

  it('starts a task on a named instance with StartTask and answers DiscoverPollEndpoint', async () => {
    const { tasks } = await ecs.send(
      new StartTaskCommand({ cluster: 'work', taskDefinition: 'web', containerInstances: [instanceArn] }),
    );
    assert.equal(tasks?.[0]?.containerInstanceArn, instanceArn);
    const { endpoint } = await ecs.send(
      new DiscoverPollEndpointCommand({ cluster: 'work', containerInstance: instanceArn }),
    );
    assert.equal(endpoint, server.url);
  });

  it('lets `aws ecs wait tasks-stopped` return once the task stops', async () => {
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'work', taskDefinition: 'web' }));
    const arn = tasks![0]!.taskArn!;
    await ecs.send(new StopTaskCommand({ cluster: 'work', task: arn }));
    const aws = awsCliFor(server, 'ecs');
    const waiting = aws.run('wait', 'tasks-stopped', '--cluster', 'work', '--tasks', arn);
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: 'work', task: arn, status: 'STOPPED' }));
    const result = await waiting;
    assert.equal(result.code, 0, result.stderr);
    const described = await aws.json<{ tasks: { lastStatus: string; stopCode: string }[] }>(
      'describe-tasks',
      '--cluster',
      'work',
      '--tasks',
      arn,
    );
    assert.equal(described.tasks[0]?.lastStatus, 'STOPPED');
    assert.equal(described.tasks[0]?.stopCode, 'UserInitiated');
  });

  it('says in the service events why a service task fits nowhere, naming the closest instance', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'huge',
        containerDefinitions: [{ name: 'app', image: 'busybox', memory: 5000 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({ cluster: 'work', serviceName: 'huge', taskDefinition: 'huge', desiredCount: 1 }),
    );
    const deadline = Date.now() + 15_000;
    let message: string | undefined;
    while (!message && Date.now() < deadline) {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'work', services: ['huge'] }));
      message = services?.[0]?.events?.find((e) => /was unable to place a task/.test(e.message ?? ''))?.message;
      if (!message) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(
      message,
      `(service huge) was unable to place a task because no container instance met all of its requirements. The closest matching container-instance ${instanceArn.split('/').at(-1)} has insufficient memory available.`,
    );
  });
});
