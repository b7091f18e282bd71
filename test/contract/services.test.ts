import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('ECS services on real containers: desired count held, rolling updates, circuit breaker', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const docker = new DockerSession();
  const cluster = `svc-${randomBytes(4).toString('hex')}`;
  const family = `${cluster}-web`;
  let image: string;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };

  const register = (container: Partial<ContainerDefinition>) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'web', image, command: ['httpd', '-f', '-p', '8080', '-h', '/'], stopTimeout: 2, ...container },
        ],
      }),
    );
  const describeOne = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0]!;
  const describe1 = () => describeOne('web');
  /** `aws ecs wait services-stable`, then until the deployment says COMPLETED (it follows within seconds). */
  const waitStable = async () => {
    const waited = await awsCliFor(server, 'ecs').run(
      'wait',
      'services-stable',
      '--cluster',
      cluster,
      '--services',
      'web',
    );
    assert.equal(waited.code, 0, waited.stderr);
    const deadline = Date.now() + 30_000;
    let service = await describe1();
    while (service.deployments?.[0]?.rolloutState !== 'COMPLETED' && Date.now() < deadline) {
      await sleep(250);
      service = await describe1();
    }
    return service;
  };
  /** The service's tasks that run now. */
  const runningTasks = async () => {
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }));
    if (taskArns.length === 0) return [];
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
    return tasks.filter((t) => t.lastStatus === 'RUNNING');
  };

  /** Closes the server and starts it again on the same data (on another port). */
  const restartServer = async () => {
    const { dataDir } = server;
    await server.close();
    server = await startTestServer({}, { dataDir });
    ecs.destroy();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
  };

  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    image = (await docker.buildBusyboxImage(`berth-svc-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await register({});
  });
  after(async () => {
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('reaches a steady state with the desired count, and `aws ecs wait services-stable` returns', async () => {
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: family,
        desiredCount: 3,
        launchType: 'FARGATE',
        networkConfiguration: network,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    assert.equal(service?.status, 'ACTIVE');
    assert.equal(service?.deployments?.[0]?.status, 'PRIMARY');
    assert.match(service?.deployments?.[0]?.id ?? '', /^ecs-svc\/\d{19}$/);
    const stable = await waitStable();
    assert.equal(stable.runningCount, 3);
    assert.equal(stable.deployments?.length, 1);
    assert.equal(stable.deployments?.[0]?.rolloutState, 'COMPLETED');
    assert.ok(stable.events?.some((e) => /\(service web\) has reached a steady state\./.test(e.message ?? '')));
    assert.ok(stable.events?.some((e) => /\(service web\) has started 3 tasks:/.test(e.message ?? '')));
    await rejectsWith(ecs.send(new DeleteClusterCommand({ cluster })), 'ClusterContainsServicesException');
  });

  it('replaces a task whose container is killed', async () => {
    const [victim] = await runningTasks();
    await docker.docker(['kill', victim!.containers![0]!.runtimeId!]);
    const deadline = Date.now() + 60_000;
    let replaced = false;
    while (Date.now() < deadline && !replaced) {
      await sleep(500);
      const running = await runningTasks();
      replaced = running.length === 3 && !running.some((t) => t.taskArn === victim!.taskArn);
    }
    assert.ok(replaced, 'three tasks run again, the killed one not among them');
  });

  it('rolls out a new revision within maximumPercent and minimumHealthyPercent, sampled every 200 ms', async () => {
    const { taskDefinition } = await register({ environment: [{ name: 'REVISION', value: '2' }] });
    await ecs.send(
      new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: taskDefinition!.taskDefinitionArn }),
    );
    // desired 3, maximumPercent 200, minimumHealthyPercent 100: 3 <= healthy, running <= 6.
    let lowest = Infinity;
    let highest = 0;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const service = await describe1();
      const running = await runningTasks();
      highest = Math.max(highest, running.length);
      lowest = Math.min(lowest, running.filter((t) => t.healthStatus !== 'UNHEALTHY').length);
      if (service.deployments?.length === 1 && service.deployments[0]?.rolloutState === 'COMPLETED') break;
      assert.ok(Date.now() < deadline, `rollout did not finish: ${JSON.stringify(service.deployments)}`);
      await sleep(200);
    }
    assert.ok(lowest >= 3, `healthy tasks went down to ${lowest}`);
    assert.ok(highest <= 6, `running tasks went up to ${highest}`);
    const running = await runningTasks();
    assert.equal(running.length, 3);
    assert.ok(running.every((t) => t.taskDefinitionArn === taskDefinition!.taskDefinitionArn));
  });

  it('finishes a rollout the server was restarted in the middle of, with no duplicate or lost task', async () => {
    const { taskDefinition } = await register({ environment: [{ name: 'REVISION', value: '3' }] });
    const next = taskDefinition!.taskDefinitionArn!;
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: next }));
    // Mid-rollout: the new deployment runs a task while the old one still has some.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const running = await runningTasks();
      if (running.some((t) => t.taskDefinitionArn === next) && running.some((t) => t.taskDefinitionArn !== next)) break;
      assert.ok(Date.now() < deadline, 'the rollout never had old and new tasks running together');
      await sleep(100);
    }
    await restartServer();
    const service = await waitStable();
    assert.equal(service.deployments?.length, 1);
    assert.equal(service.deployments?.[0]?.taskDefinition, next);
    const running = await runningTasks();
    assert.equal(running.length, 3);
    assert.ok(running.every((t) => t.taskDefinitionArn === next));
    // What Docker runs is exactly those three tasks' web containers, once the old tasks' stops
    // (SIGTERM, then up to stopTimeout) are over: a stopping task no longer counts as running.
    const expected = running.map((t) => t.taskArn).sort();
    const stopDeadline = Date.now() + 60_000;
    for (;;) {
      const ps = await docker.docker([
        'ps',
        '--filter',
        `label=com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
        '--filter',
        'label=com.amazonaws.ecs.container-name=web',
        '--format',
        '{{.Label "com.amazonaws.ecs.task-arn"}}',
      ]);
      const seen = ps.stdout.trim().split(/\s+/).sort();
      if (seen.length <= expected.length || Date.now() > stopDeadline) {
        assert.deepEqual(seen, expected);
        break;
      }
      await sleep(250);
    }
  });

  it('scales 3 -> 6 -> 1', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 6 }));
    assert.equal((await waitStable()).runningCount, 6);
    assert.equal((await runningTasks()).length, 6);
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 1 }));
    const stable = await waitStable();
    assert.equal(stable.runningCount, 1);
    assert.equal((await runningTasks()).length, 1);
    assert.ok(stable.events?.some((e) => /\(service web\) has stopped 5 running tasks:/.test(e.message ?? '')));
  });

  it('trips the circuit breaker on a revision whose container exits at once, and rolls back', async () => {
    const good = (await describe1()).taskDefinition;
    const { taskDefinition: bad } = await register({ command: ['sh', '-c', 'exit 1'] });
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: bad!.taskDefinitionArn }));
    const deadline = Date.now() + 90_000;
    let service = await describe1();
    while (!service.events?.some((e) => /rolling back to deployment/.test(e.message ?? ''))) {
      assert.ok(Date.now() < deadline, `no rollback: ${JSON.stringify(service.events?.slice(0, 5))}`);
      await sleep(500);
      service = await describe1();
    }
    assert.ok(service.events?.some((e) => /deployment failed: tasks failed to start/.test(e.message ?? '')));
    assert.equal(service.taskDefinition, good);
    const stable = await waitStable();
    assert.equal(stable.deployments?.[0]?.taskDefinition, good);
    assert.equal(stable.runningCount, 1);
  });

  it('deletes the service: refused while scaled up, then DRAINING with force, and INACTIVE once its tasks stop', async () => {
    await rejectsWith(ecs.send(new DeleteServiceCommand({ cluster, service: 'web' })), 'InvalidParameterException');
    const { service } = await ecs.send(new DeleteServiceCommand({ cluster, service: 'web', force: true }));
    assert.equal(service?.status, 'DRAINING');
    const waited = await awsCliFor(server, 'ecs').run(
      'wait',
      'services-inactive',
      '--cluster',
      cluster,
      '--services',
      'web',
    );
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal((await runningTasks()).length, 0);
  });
  it('throttles a service whose tasks keep failing to start, and says so', async () => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-nopull`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: `berth-missing-${randomBytes(4).toString('hex')}:1` }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'nopull',
        taskDefinition: taskDefinition!.taskDefinitionArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    const message = '(service nopull) is unable to consistently start tasks successfully.';
    const deadline = Date.now() + 60_000;
    let service = await describeOne('nopull');
    while (!service.events?.some((e) => e.message === message)) {
      assert.ok(Date.now() < deadline, `not throttled: ${JSON.stringify(service.events?.slice(0, 3))}`);
      await sleep(500);
      service = await describeOne('nopull');
    }
    // Three launches failed (never RUNNING); the next one waited at least 5 s after the third.
    await sleep(6_000);
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'nopull' }));
    const { taskArns: stoppedArns = [] } = await ecs.send(
      new ListTasksCommand({ cluster, serviceName: 'nopull', desiredStatus: 'STOPPED' }),
    );
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [...stoppedArns, ...taskArns] }));
    const launches = tasks.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
    assert.ok(launches.length >= 4, `${launches.length} launches`);
    assert.ok(launches.slice(0, 3).every((t) => t.stopCode === 'TaskFailedToStart' && t.startedAt === undefined));
    const waited = launches[3]!.createdAt!.getTime() - launches[2]!.stoppedAt!.getTime();
    assert.ok(waited >= 4_500, `the fourth launch came ${waited} ms after the third failure`);
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'nopull', force: true }));
  });

  it('ignores failing container health checks during healthCheckGracePeriodSeconds, then replaces the task', async () => {
    const { taskDefinition } = await register({
      healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 },
    });
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'sick',
        taskDefinition: taskDefinition!.taskDefinitionArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: network,
        healthCheckGracePeriodSeconds: 20,
      }),
    );
    const tasksOf = async (desiredStatus: 'RUNNING' | 'STOPPED') => {
      const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'sick', desiredStatus }));
      if (taskArns.length === 0) return [];
      return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
    };
    // The first task turns UNHEALTHY within seconds, and is kept through the grace period.
    const deadline = Date.now() + 60_000;
    let first = (await tasksOf('RUNNING'))[0];
    while (first?.healthStatus !== 'UNHEALTHY') {
      assert.ok(Date.now() < deadline, `never UNHEALTHY: ${first?.healthStatus}`);
      await sleep(500);
      first = (await tasksOf('RUNNING'))[0];
    }
    let replaced: Task | undefined;
    while (!replaced) {
      assert.ok(Date.now() < deadline, 'the unhealthy task was never replaced');
      await sleep(500);
      replaced = (await tasksOf('STOPPED')).find((t) => t.taskArn === first!.taskArn);
    }
    assert.equal(replaced.stoppedReason, 'Task failed container health checks');
    const kept = replaced.stoppingAt!.getTime() - replaced.startedAt!.getTime();
    assert.ok(kept >= 20_000, `stopped ${kept} ms after it started, within the grace period`);
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'sick', force: true }));
  });
});
