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
} from '@aws-sdk/client-ecs';
import { rejectsWith } from '../../testing/assertions.ts';
import { awsCliFor } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeContainersLabelled } from '../../testing/tasks.ts';

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
  const describe1 = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
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
    await removeContainersLabelled(
      docker,
      `com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
    );
    await docker.cleanup();
  });

  it('reaches a steady state with the desired count, and `aws ecs wait services-stable` returns', async () => {
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: family,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: network,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    assert.equal(service?.status, 'ACTIVE');
    assert.equal(service?.deployments?.[0]?.status, 'PRIMARY');
    assert.match(service?.deployments?.[0]?.id ?? '', /^ecs-svc\/\d{19}$/);
    const stable = await waitStable();
    assert.equal(stable.runningCount, 2);
    assert.equal(stable.deployments?.length, 1);
    assert.equal(stable.deployments?.[0]?.rolloutState, 'COMPLETED');
    assert.ok(stable.events?.some((e) => /\(service web\) has reached a steady state\./.test(e.message ?? '')));
    assert.ok(stable.events?.some((e) => /\(service web\) has started 2 tasks:/.test(e.message ?? '')));
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
      replaced = running.length === 2 && !running.some((t) => t.taskArn === victim!.taskArn);
    }
    assert.ok(replaced, 'two tasks run again, the killed one not among them');
  });

  it('scales 2 -> 3 -> 1', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 3 }));
    assert.equal((await waitStable()).runningCount, 3);
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 1 }));
    const stable = await waitStable();
    assert.equal(stable.runningCount, 1);
    assert.equal((await runningTasks()).length, 1);
  });

  it('rolls out a new revision without dropping below the minimum healthy count', async () => {
    const { taskDefinition } = await register({ environment: [{ name: 'REVISION', value: '2' }] });
    await ecs.send(
      new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: taskDefinition!.taskDefinitionArn }),
    );
    let lowest = Infinity;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const service = await describe1();
      lowest = Math.min(lowest, (await runningTasks()).length);
      if (service.deployments?.length === 1 && service.deployments[0]?.rolloutState === 'COMPLETED') break;
      assert.ok(Date.now() < deadline, `rollout did not finish: ${JSON.stringify(service.deployments)}`);
      await sleep(200);
    }
    assert.ok(lowest >= 1, `running tasks went down to ${lowest}`);
    const [task] = await runningTasks();
    assert.equal(task?.taskDefinitionArn, taskDefinition!.taskDefinitionArn);
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
});
