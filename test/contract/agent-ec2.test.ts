import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  UpdateContainerInstancesStateCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { awsCliFor } from '../../testing/aws-cli.ts';
import { inspect, isRunning, isStopped, removeContainersLabelled, waitForTask } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('EC2 launch type: `berth agent` processes on this machine', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `hosts-${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'berth-agents-'));
  const agents: Record<'a' | 'b', AgentProcess | undefined> = { a: undefined, b: undefined };
  let tasks: Task[] = [];
  let image = '';

  const startAgent = (name: 'a' | 'b', memory: number) => {
    const configFile = join(work, `${name}.config`);
    writeFileSync(
      configFile,
      `ECS_CLUSTER=${cluster}\nECS_CONTAINER_STOP_TIMEOUT=2s\nECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=1h\nECS_INSTANCE_ATTRIBUTES={"stack":"${name}"}\n`,
    );
    return spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
      },
      [
        '--config-file',
        configFile,
        '--cpu',
        '1024',
        '--memory',
        String(memory),
        '--availability-zone',
        `us-east-1${name}`,
        '--data-dir',
        join(work, name),
      ],
    );
  };

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const { tag } = await docker.buildBusyboxImage(`berth-agents-${randomBytes(4).toString('hex')}:1`);
    image = tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-web`,
        containerDefinitions: [
          {
            name: 'web',
            image: tag,
            memory: 250,
            cpu: 128,
            command: ['httpd', '-f', '-p', '8080', '-h', '/'],
            portMappings: [{ containerPort: 8080, hostPort: 0 }],
          },
        ],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-once`,
        containerDefinitions: [
          {
            name: 'main',
            image: tag,
            memory: 50,
            command: ['sh', '-c', 'echo hello from an agent; exit 0'],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': `/ec2/${cluster}`,
                'awslogs-stream-prefix': 'p',
                'awslogs-create-group': 'true',
              },
            },
          },
        ],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-daemon`,
        containerDefinitions: [{ name: 'd', image: tag, memory: 20, command: ['sleep', '600'], stopTimeout: 1 }],
      }),
    );
    agents.a = await startAgent('a', 600);
    agents.b = await startAgent('b', 300);
  });

  after(async () => {
    for (const agent of Object.values(agents)) agent?.child.kill('SIGKILL');
    ecs?.destroy();
    await server?.stop();
    await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${cluster}`);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('registers each host with its --cpu/--memory overrides and its attributes', async () => {
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster,
        containerInstances: [agents.a!.containerInstanceArn, agents.b!.containerInstanceArn],
      }),
    );
    const [a, b] = containerInstances!;
    assert.equal(a?.registeredResources?.find((r) => r.name === 'MEMORY')?.integerValue, 600);
    assert.equal(b?.registeredResources?.find((r) => r.name === 'MEMORY')?.integerValue, 300);
    assert.equal(a?.registeredResources?.find((r) => r.name === 'CPU')?.integerValue, 1024);
    assert.ok(a?.agentConnected);
    const attributes = new Map(a?.attributes?.map((x) => [x.name, x.value]));
    assert.equal(attributes.get('stack'), 'a');
    assert.equal(attributes.get('ecs.availability-zone'), 'us-east-1a');
    assert.ok(attributes.has('ecs.capability.task-eni'));
  });

  it('places tasks within what each agent registered, and each answers on its dynamic host port', async () => {
    const placed = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-web`, count: 3 }));
    assert.deepEqual(placed.failures, []);
    const onA = placed.tasks!.filter((t) => t.containerInstanceArn === agents.a!.containerInstanceArn).length;
    assert.equal(onA, 2, 'two of 250 MiB fit in 600, one in 300');
    const full = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-web` }));
    assert.deepEqual(full.failures?.map((f) => f.reason).sort(), ['RESOURCE:MEMORY', 'RESOURCE:MEMORY']);
    tasks = [];
    for (const task of placed.tasks!) tasks.push(await waitForTask(ecs, cluster, task.taskArn!, isRunning));
    for (const task of tasks) {
      const zone = task.containerInstanceArn === agents.a!.containerInstanceArn ? 'us-east-1a' : 'us-east-1b';
      assert.equal(task.availabilityZone, zone);
      assert.equal(
        task.lastStatus,
        'RUNNING',
        JSON.stringify({ reason: task.stoppedReason, containers: task.containers }),
      );
      const binding = task.containers?.[0]?.networkBindings?.[0];
      assert.ok(binding && binding.hostPort! > 0, JSON.stringify(task.containers));
      const response = await fetch(`http://127.0.0.1:${binding.hostPort}/hello.txt`, {
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(response.status, 200);
    }
    // ECS's variables for an EC2 task's containers.
    const env = (await inspect(docker, tasks[0]!.containers![0]!.runtimeId!)).Config.Env;
    for (const variable of ['AWS_EXECUTION_ENV=AWS_ECS_EC2', 'AWS_REGION=us-east-1', 'AWS_DEFAULT_REGION=us-east-1'])
      assert.ok(env.includes(variable), `${variable} in ${env.join(' ')}`);
  });

  it('re-attaches after an agent restart: no duplicates, and a container that died meanwhile is reported', async () => {
    const onA = tasks.filter((t) => t.containerInstanceArn === agents.a!.containerInstanceArn);
    const [survivor, victim] = onA;
    agents.a!.child.kill('SIGKILL');
    await agents.a!.exited;
    await docker.docker(['kill', victim!.containers![0]!.runtimeId!]);
    const previousArn = agents.a!.containerInstanceArn;
    agents.a = await startAgent('a', 600);
    assert.equal(agents.a.containerInstanceArn, previousArn, 'the same instance, registered again');
    const died = await waitForTask(ecs, cluster, victim!.taskArn!, isStopped);
    assert.equal(died.containers?.[0]?.exitCode, 137);
    assert.equal(died.stopCode, 'EssentialContainerExited');
    const alive = await waitForTask(ecs, cluster, survivor!.taskArn!, isRunning);
    assert.equal(alive.lastStatus, 'RUNNING');
    assert.equal(alive.containers?.[0]?.runtimeId, survivor!.containers?.[0]?.runtimeId);
    assert.equal((await inspect(docker, alive.containers![0]!.runtimeId!)).State.Running, true);
    const copies = await docker.docker([
      'ps',
      '-q',
      '--filter',
      `label=com.amazonaws.ecs.task-arn=${survivor!.taskArn}`,
    ]);
    assert.equal(copies.stdout.trim().split(/\s+/).length, 1);
  });

  it('ships awslogs output through the Logs API from an agent', async () => {
    const { tasks: [task] = [] } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-once` }));
    const stopped = await waitForTask(ecs, cluster, task!.taskArn!, isStopped);
    assert.equal(stopped.containers?.[0]?.exitCode, 0);
    const logs = awsCliFor(server, 'logs');
    const events = await logs.json<{ events: { message: string }[] }>(
      'get-log-events',
      '--log-group-name',
      `/ec2/${cluster}`,
      '--log-stream-name',
      `p/main/${task!.taskArn!.split('/').at(-1)}`,
    );
    assert.deepEqual(
      events.events.map((e) => e.message),
      ['hello from an agent'],
    );
  });

  it('stops every task on StopTask', async () => {
    for (const task of tasks) await ecs.send(new StopTaskCommand({ cluster, task: task.taskArn! }));
    for (const task of tasks) {
      const stopped = await waitForTask(ecs, cluster, task.taskArn!, isStopped);
      assert.equal(stopped.lastStatus, 'STOPPED');
    }
  });

  it('moves a service task off an instance that is set to DRAINING', async () => {
    await ecs.send(
      new CreateServiceCommand({ cluster, serviceName: 'moving', taskDefinition: `${cluster}-web`, desiredCount: 1 }),
    );
    const serviceTask = async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'moving' }));
      if (taskArns.length === 0) return [];
      return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
    };
    const until = async (check: (tasks: Task[]) => boolean, what: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const tasks = await serviceTask();
        if (check(tasks)) return tasks;
        assert.ok(
          Date.now() < deadline,
          `${what}: ${JSON.stringify(tasks.map((t) => [t.lastStatus, t.containerInstanceArn]))}`,
        );
        await sleep(500);
      }
    };
    const [first] = await until((t) => t.length === 1 && t[0]!.lastStatus === 'RUNNING', 'the service task runs');
    const from = first!.containerInstanceArn!;
    await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [from], status: 'DRAINING' }),
    );
    const [moved] = await until(
      (t) => t.length === 1 && t[0]!.lastStatus === 'RUNNING' && t[0]!.containerInstanceArn !== from,
      'the task runs on the other instance',
    );
    assert.notEqual(moved?.taskArn, first?.taskArn);
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'moving', force: true }));
    await until((t) => t.length === 0, 'the service stopped its task');
  });

  it('runs a DAEMON service on every ACTIVE instance, following instances as they drain and come back', async () => {
    const instanceOf = async () => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'daemon' }));
      if (taskArns.length === 0) return [];
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      return tasks
        .filter((t) => t.lastStatus === 'RUNNING')
        .map((t) => t.containerInstanceArn!)
        .sort();
    };
    const until = async (expected: string[], what: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const seen = await instanceOf();
        if (JSON.stringify(seen) === JSON.stringify([...expected].sort())) return;
        assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(seen)}`);
        await sleep(500);
      }
    };
    const [a, b] = [agents.a!.containerInstanceArn, agents.b!.containerInstanceArn];
    // The previous test left one instance DRAINING; start from both ACTIVE.
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [a, b], status: 'ACTIVE' }));
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'daemon',
        taskDefinition: `${cluster}-daemon`,
        schedulingStrategy: 'DAEMON',
      }),
    );
    await until([a, b], 'one task on each instance');
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [b], status: 'DRAINING' }));
    await until([a], 'the draining instance lost its task');
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [b], status: 'ACTIVE' }));
    await until([a, b], 'the instance back to ACTIVE got one again');
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'daemon' }));
    await until([], 'the deleted daemon stopped its tasks');
  });

  it("pulls an image from the server's own registry with an ECR token it gets itself", async () => {
    const ecr = new ECRClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    const repository = `${cluster}/app`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    ecr.destroy();
    const password = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
    const registry = new URL(server.url).host.replace('127.0.0.1', 'localhost');
    const remote = `${registry}/${repository}:v1`;
    assert.equal(
      (await docker.docker(['login', '--username', 'AWS', '--password-stdin', registry], { input: password })).code,
      0,
    );
    await docker.tag(image, remote);
    const pushed = await docker.docker(['push', remote]);
    assert.equal(pushed.code, 0, pushed.stderr);
    // Only the registry has it under that name now: the agent must pull it, with its own token.
    await docker.docker(['rmi', remote]);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-pulled`,
        containerDefinitions: [{ name: 'main', image: remote, memory: 20, command: ['true'] }],
      }),
    );
    const { tasks: [task] = [] } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-pulled` }));
    const stopped = await waitForTask(ecs, cluster, task!.taskArn!, isStopped);
    assert.equal(stopped.containers?.[0]?.exitCode, 0, JSON.stringify(stopped.containers?.[0]));
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
  });

  it('delivers what happened during a server outage once the server is back (reports queued, no re-registration)', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-outage`,
        containerDefinitions: [{ name: 'main', image, memory: 20, command: ['sh', '-c', 'sleep 3; exit 7'] }],
      }),
    );
    const { tasks: [task] = [] } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-outage` }));
    await waitForTask(ecs, cluster, task!.taskArn!, isRunning);
    const { dataDir, port } = server;
    await server.close();
    await sleep(6000); // the container exits while the server is down
    server = await startTestServer({ BERTH_PORT: String(port) }, { dataDir });
    ecs.destroy();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const stopped = await waitForTask(ecs, cluster, task!.taskArn!, isStopped);
    assert.equal(stopped.containers?.[0]?.exitCode, 7);
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    // The agent reconnects by polling again (its retries back off up to 10 s), without registering again.
    const deadline = Date.now() + 30_000;
    let connected = false;
    while (!connected && Date.now() < deadline) {
      const { containerInstances } = await ecs.send(
        new DescribeContainerInstancesCommand({ cluster, containerInstances: [agents.a!.containerInstanceArn] }),
      );
      connected = containerInstances?.[0]?.agentConnected === true;
      if (!connected) await sleep(500);
    }
    assert.ok(connected, 'the agent reconnected');
    assert.equal(agents.a!.output().match(/"msg":"agent registered"/g)?.length, 1, 'registered once, at its start');
    assert.match(agents.a!.output() + agents.b!.output(), /cannot reach the Berth server|not delivered yet/);
  });
});
