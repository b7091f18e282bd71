import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  ECSClient,
  StopTaskCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejectsWith } from '../../testing/assertions.ts';
import { createHttpLoadBalancer, SteadyClient, registerVersionedWeb } from '../../testing/load-balancer.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, waitForTask, removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('services behind a real ELBv2 load balancer', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const docker = new DockerSession();
  const cluster = `lb-${randomBytes(4).toString('hex')}`;
  const family = `${cluster}-web`;
  let image: string;
  let url: string;
  let targetGroupArn: string;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };

  /** Serves its version as / (and /health) with busybox httpd on 8080. */
  const register = (version: string) => registerVersionedWeb(ecs, { family, image, version });
  const describeWeb = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
  /** The service's event messages, newest first. */
  const serviceEvents = async (): Promise<string[]> => ((await describeWeb()).events ?? []).map((e) => e.message ?? '');
  /** The sum of N over the events (newest first) matching pattern's one (\d+) group. */
  const countIn = (events: readonly string[], pattern: RegExp): number =>
    events.reduce((sum, m) => sum + Number(pattern.exec(m)?.[1] ?? 0), 0);
  const healthyTargets = async () =>
    (
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ??
      []
    )
      .filter((d) => d.TargetHealth?.State === 'healthy')
      .map((d) => d.Target!.Id!);
  /** Until one deployment, desired running, every target healthy, and the old targets gone. */
  const waitSettled = async (desired: number) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const service = await describeWeb();
      const descriptions =
        (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })))
          .TargetHealthDescriptions ?? [];
      const settled =
        service.deployments?.length === 1 &&
        service.deployments[0]!.rolloutState === 'COMPLETED' &&
        service.runningCount === desired &&
        descriptions.length === desired &&
        descriptions.every((d) => d.TargetHealth?.State === 'healthy');
      if (settled) return service;
      assert.ok(
        Date.now() < deadline,
        `not settled: ${JSON.stringify({ deployments: service.deployments, targets: descriptions })}`,
      );
      await sleep(250);
    }
  };

  before(async () => {
    server = await startTestServer();
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    image = (await docker.buildBusyboxImage(`berth-lb-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    ({ targetGroupArn, url } = await createHttpLoadBalancer(elb, cluster, {
      targetType: 'ip',
      port: 8080,
      healthCheckPath: '/health',
    }));
  });
  after(async () => {
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('refuses a load balancer on a container port the task definition does not map', async () => {
    const definition = await register('v1');
    const create = (containerPort: number) =>
      ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: 'bad',
          taskDefinition: definition,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: network,
          loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort }],
        }),
      );
    await rejectsWith(create(9090), 'InvalidParameterException', /did not have a container port 9090 defined/);
  });

  it('registers a 3-task service as targets, and the listener spreads requests over them', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: await register('v1'),
        desiredCount: 3,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 10,
      }),
    );
    await waitSettled(3);
    assert.equal((await healthyTargets()).length, 3);
    // ECS's words, one event per target group and pass: "(service web) registered 2 targets in (target-group …)".
    const said = await serviceEvents();
    const registered = new RegExp(
      `^\\(service web\\) registered (\\d+) targets in \\(target-group ${targetGroupArn}\\)$`,
    );
    assert.equal(countIn(said, registered), 3, JSON.stringify(said));
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal((await response.text()).trim(), 'v1');
  });

  it('rolls out a new revision with zero failed requests, and serves it afterwards', async () => {
    const client = new SteadyClient(url);
    await sleep(1_000);
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: await register('v2') }));
    await waitSettled(3);
    await sleep(1_000);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.ok(client.bodies.includes('v1') && client.bodies.includes('v2'), 'saw both versions');
    assert.equal(client.bodies.at(-1), 'v2');
    for (let i = 0; i < 6; i++) assert.equal((await (await fetch(url)).text()).trim(), 'v2');
  });

  it('scales in from 3 to 1 with zero failed requests, saying it drains and deregisters 2 targets', async () => {
    const client = new SteadyClient(url);
    await sleep(500);
    const known = new Set(((await describeWeb()).events ?? []).map((e) => e.id));
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 1 }));
    await waitSettled(1);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.ok(client.bodies.length > 10);
    const said = ((await describeWeb()).events ?? []).filter((e) => !known.has(e.id)).map((e) => e.message ?? '');
    const deregistered = new RegExp(
      `^\\(service web\\) deregistered (\\d+) targets in \\(target-group ${targetGroupArn}\\)$`,
    );
    assert.equal(
      countIn(said, /^\(service web\) has begun draining connections on (\d+) tasks\.$/),
      2,
      JSON.stringify(said),
    );
    assert.equal(countIn(said, deregistered), 2, JSON.stringify(said));
    // Newest first: the scheduler says it stopped the tasks once their targets began draining.
    const oldest = (pattern: RegExp) => said.findLastIndex((m) => pattern.test(m));
    const stopped = oldest(/^\(service web\) has stopped \d running tasks:/);
    assert.ok(stopped >= 0 && stopped < oldest(/draining connections/), JSON.stringify(said));
  });

  it('takes a task whose health check fails out of rotation, and the service replaces it', async () => {
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 2 }));
    await waitSettled(2);
    const [sick] = await healthyTargets();
    // Its health check path disappears: the target fails its checks (404).
    const ps = await docker.docker([
      'ps',
      '-q',
      '--filter',
      `label=com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
      '--filter',
      'label=com.amazonaws.ecs.container-name=web',
    ]);
    let removed = false;
    for (const id of ps.stdout.trim().split(/\s+/)) {
      const ip = await docker.docker(['exec', id, '/bin/busybox', 'sh', '-c', 'ip -4 -o addr show eth0']);
      if (ip.stdout.includes(`${sick} `) || ip.stdout.includes(`${sick}/`)) {
        await docker.docker(['exec', id, '/bin/busybox', 'rm', '/www/health']);
        removed = true;
      }
    }
    assert.ok(removed, `no container has ${sick}`);
    const deadline = Date.now() + 60_000;
    let state: string | undefined;
    let reason: string | undefined;
    while (state !== 'unhealthy') {
      assert.ok(Date.now() < deadline, `target ${sick} is ${state}`);
      await sleep(500);
      const { TargetHealthDescriptions = [] } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      );
      const mine = TargetHealthDescriptions.find((d) => d.Target?.Id === sick);
      state = mine?.TargetHealth?.State;
      reason = mine?.TargetHealth?.Reason;
      if (!mine) break;
    }
    if (state === 'unhealthy') assert.equal(reason, 'Target.ResponseCodeMismatch');
    // Out of rotation: every request reaches the healthy task.
    const client = new SteadyClient(url);
    await sleep(2_000);
    await client.stop();
    assert.deepEqual(client.failures, []);
    // The service replaces it, saying why.
    let why: string | undefined;
    while (!why) {
      assert.ok(Date.now() < deadline, 'the unhealthy task was not replaced');
      await sleep(500);
      const { taskArns = [] } = await ecs.send(
        new ListTasksCommand({ cluster, serviceName: 'web', desiredStatus: 'STOPPED' }),
      );
      const { tasks = [] } = taskArns.length
        ? await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }))
        : { tasks: [] };
      const replaced = tasks.find((t) =>
        t.attachments?.some((a) => a.details?.some((d) => d.name === 'privateIPv4Address' && d.value === sick)),
      );
      why = replaced?.stoppedReason;
    }
    assert.equal(why, `Task failed ELB health checks in (target-group ${targetGroupArn})`);
    // And in its events, ECS's words with the target group's reason.
    const said = await serviceEvents();
    const cause = `is unhealthy in (target-group ${targetGroupArn}) due to (reason Health checks failed with these codes: [404]).`;
    assert.ok(
      said.some((m) => /^\(service web\) \(task [0-9a-f]+\) \(port 8080\) /.test(m) && m.endsWith(cause)),
      JSON.stringify(said.slice(0, 6)),
    );
    await waitSettled(2);
    assert.ok(!(await healthyTargets()).includes(sick!));
  });
  it('takes a task stopped with StopTask out of rotation before its containers stop', async () => {
    await waitSettled(2);
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }));
    const client = new SteadyClient(url);
    await sleep(500);
    const { task } = await ecs.send(new StopTaskCommand({ cluster, task: taskArns[0]!, reason: 'by hand' }));
    assert.equal(task?.desiredStatus, 'STOPPED');
    assert.equal(task?.lastStatus, 'DEACTIVATING');
    await waitSettled(2);
    await client.stop();
    assert.deepEqual(client.failures, []);
    const stopped = await waitForTask(ecs, cluster, taskArns[0]!, isStopped);
    assert.equal(stopped.stoppedReason, 'by hand');
  });
});
