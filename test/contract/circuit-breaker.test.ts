import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type Service,
  type ServiceDeployment,
  type Task,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createHttpLoadBalancer, registerVersionedWeb } from '../../testing/load-balancer.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeContainersLabelled } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

/** A container health check that never passes: UNHEALTHY after its first check, 5 s in. */
const FAILING_HEALTH_CHECK = { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 };
const BREAKER = { deploymentCircuitBreaker: { enable: true, rollback: true } };

describe('the deployment circuit breaker counts tasks that fail their health checks', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const docker = new DockerSession();
  const cluster = `cb-${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'berth-breaker-'));
  let agent: AgentProcess | undefined;
  let image: string;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };

  const registerFargate = async (family: string, container: Partial<ContainerDefinition>) => {
    const { taskDefinition } = await ecs.send(
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
    return taskDefinition!.taskDefinitionArn!;
  };
  const describeService = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0]!;
  const tasksOf = async (name: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<Task[]> => {
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: name, desiredStatus }));
    if (taskArns.length === 0) return [];
    return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
  };
  /** Until the service has one COMPLETED deployment of `definition`, with `count` tasks of it RUNNING. */
  const waitCompleted = async (name: string, definition: string, count: number): Promise<Service> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const service = await describeService(name);
      const running = (await tasksOf(name, 'RUNNING')).filter((t) => t.lastStatus === 'RUNNING');
      const done =
        service.deployments?.length === 1 &&
        service.deployments[0]!.rolloutState === 'COMPLETED' &&
        service.deployments[0]!.taskDefinition === definition &&
        running.length === count &&
        running.every((t) => t.taskDefinitionArn === definition);
      if (done) return service;
      assert.ok(Date.now() < deadline, `not completed: ${JSON.stringify(service.deployments)}`);
      await sleep(500);
    }
  };
  /** The service deployment of a deployment id (ecs-svc/DIGITS), current or retired. */
  const serviceDeployment = async (name: string, id: string): Promise<ServiceDeployment> => {
    const { serviceDeployments = [] } = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: name }));
    const arn = serviceDeployments.find((d) => d.serviceDeploymentArn!.endsWith(`/${id.split('/')[1]}`));
    assert.ok(arn, `no service deployment ${id}`);
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn.serviceDeploymentArn!] }),
    );
    return described.serviceDeployments![0]!;
  };

  /**
   * Updates the service to `bad` and waits for the breaker to roll it back, checking all along that
   * the deployment's failedTasks only grows and that `good` keeps `count` tasks RUNNING (a REPLICA
   * service keeps its old tasks through a failing rollout; a DAEMON replaces them first, so pass 0).
   * Returns the failed deployment's id and every failedTasks value seen.
   */
  const rollOutAndBack = async (name: string, at: { good: string; bad: string; keeps: number }) => {
    const previous = (await describeService(name)).deployments![0]!.id!;
    const { service } = await ecs.send(new UpdateServiceCommand({ cluster, service: name, taskDefinition: at.bad }));
    const failing = service!.deployments![0]!.id!;
    const seen: number[] = [];
    const deadline = Date.now() + 180_000;
    for (;;) {
      const now = await describeService(name);
      const deployment = now.deployments?.find((d) => d.id === failing);
      if (deployment && deployment.rolloutState === 'IN_PROGRESS') seen.push(deployment.failedTasks ?? 0);
      if (now.events?.some((e) => e.message === `(service ${name}) rolling back to deployment ${previous}.`)) break;
      assert.ok(
        Date.now() < deadline,
        `no rollback: ${JSON.stringify({ deployment, events: now.events?.slice(0, 4) })}`,
      );
      const good = (await tasksOf(name, 'RUNNING')).filter(
        (t) => t.lastStatus === 'RUNNING' && t.taskDefinitionArn === at.good,
      );
      assert.ok(good.length >= at.keeps, `${good.length} tasks of the previous revision run`);
      await sleep(500);
    }
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'failedTasks never goes down',
    );
    assert.ok(
      seen.some((n) => n > 0),
      `failedTasks stayed 0: ${JSON.stringify(seen)}`,
    );
    const events = ((await describeService(name)).events ?? []).map((e) => e.message);
    assert.ok(
      events.includes(`(service ${name}) (deployment ${failing}) deployment failed: tasks failed to start.`),
      JSON.stringify(events.slice(0, 6)),
    );
    // The failed deployment, as DescribeServiceDeployments keeps it: 3 failures for 1 desired task.
    const failed = await serviceDeployment(name, failing);
    assert.equal(failed.statusReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(failed.deploymentCircuitBreaker?.status, 'TRIGGERED');
    assert.equal(failed.deploymentCircuitBreaker?.threshold, 3); // max(3, ceil(0.5 x 1))
    assert.ok(failed.deploymentCircuitBreaker!.failureCount! >= 3, JSON.stringify(failed.deploymentCircuitBreaker));
    return { failing };
  };

  /** The failed deployment's tasks the scheduler replaced for this reason. */
  const replacedFor = async (name: string, deployment: string, reason: string): Promise<Task[]> => {
    const stopped = (await tasksOf(name, 'STOPPED')).filter((t) => t.startedBy === deployment);
    return stopped.filter((t) => t.stopCode === 'ServiceSchedulerInitiated' && t.stoppedReason === reason);
  };

  before(async () => {
    server = await startTestServer();
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    image = (await docker.buildBusyboxImage(`berth-cb-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  });
  after(async () => {
    agent?.child.kill('SIGKILL');
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    for (const label of [cluster, `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`])
      await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${label}`);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('fails a rollout whose container health check never passes, and rolls back to the revision that kept running', async () => {
    const good = await registerFargate(`${cluster}-web`, {});
    const service: CreateServiceCommandInput = {
      cluster,
      serviceName: 'web',
      taskDefinition: good,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: network,
      deploymentConfiguration: BREAKER,
    };
    await ecs.send(new CreateServiceCommand(service));
    await waitCompleted('web', good, 1);
    const bad = await registerFargate(`${cluster}-web`, { healthCheck: FAILING_HEALTH_CHECK });
    const { failing } = await rollOutAndBack('web', { good, bad, keeps: 1 });
    const replaced = await replacedFor('web', failing, 'Task failed container health checks');
    assert.ok(replaced.length >= 3, `${replaced.length} tasks replaced for their container health checks`);
    assert.ok(replaced.every((t) => t.taskDefinitionArn === bad && t.startedAt !== undefined));
    const settled = await waitCompleted('web', good, 1);
    assert.equal(settled.taskDefinition, good);
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'web', force: true }));
  });

  it('fails a rollout whose load balancer targets never become healthy (404 on the health check path), and rolls back', async () => {
    const family = `${cluster}-lb`;
    const { targetGroupArn, url } = await createHttpLoadBalancer(elb, family, {
      targetType: 'ip',
      port: 8080,
      healthCheckPath: '/health',
    });
    const good = await registerVersionedWeb(ecs, { family, image, version: 'v1' });
    // Serves / but not /health: the target group's checks get 404.
    const bad = await registerFargate(family, {
      command: ['sh', '-c', 'mkdir -p /www && echo v2 > /www/index.html && httpd -f -p 8080 -h /www'],
      portMappings: [{ containerPort: 8080 }],
    });
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'lb',
        taskDefinition: good,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
        deploymentConfiguration: BREAKER,
      }),
    );
    await waitCompleted('lb', good, 1);
    const { failing } = await rollOutAndBack('lb', { good, bad, keeps: 1 });
    const reason = `Task failed ELB health checks in (target-group ${targetGroupArn})`;
    const replaced = await replacedFor('lb', failing, reason);
    assert.ok(replaced.length >= 3, `${replaced.length} tasks replaced for their ELB health checks`);
    await waitCompleted('lb', good, 1);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal((await response.text()).trim(), 'v1');
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'lb', force: true }));
  });

  it('fails a DAEMON rollout whose container health check never passes, and rolls back', async () => {
    const configFile = join(work, 'agent.config');
    writeFileSync(configFile, `ECS_CLUSTER=${cluster}\nECS_CONTAINER_STOP_TIMEOUT=2s\n`);
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
      },
      ['--config-file', configFile, '--cpu', '1024', '--memory', '512', '--data-dir', join(work, 'agent')],
    );
    const register = async (container: Partial<ContainerDefinition>) => {
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `${cluster}-daemon`,
          containerDefinitions: [
            { name: 'd', image, memory: 20, command: ['sleep', '600'], stopTimeout: 1, ...container },
          ],
        }),
      );
      return taskDefinition!.taskDefinitionArn!;
    };
    const good = await register({});
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'daemon',
        taskDefinition: good,
        schedulingStrategy: 'DAEMON',
        deploymentConfiguration: BREAKER,
      }),
    );
    await waitCompleted('daemon', good, 1);
    const bad = await register({ healthCheck: FAILING_HEALTH_CHECK });
    // A daemon's new revision replaces the instance's task (minimumHealthyPercent 0): none is kept.
    const { failing } = await rollOutAndBack('daemon', { good, bad, keeps: 0 });
    const replaced = await replacedFor('daemon', failing, 'Task failed container health checks');
    assert.ok(replaced.length >= 3, `${replaced.length} tasks replaced for their container health checks`);
    const settled = await waitCompleted('daemon', good, 1);
    assert.equal(settled.taskDefinition, good);
    assert.equal(settled.runningCount, 1);
  });
});
