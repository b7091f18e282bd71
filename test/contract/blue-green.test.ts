/* eslint-disable max-lines -- one scenario in order: every test drives the same service, listener and target groups */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejectsWith } from '../../testing/assertions.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';
import { freePort, SteadyClient, registerVersionedWeb } from '../../testing/load-balancer.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('blue/green, canary and rollback deployments behind a real listener', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const docker = new DockerSession();
  const cluster = `bg-${randomBytes(4).toString('hex')}`;
  const family = `${cluster}-web`;
  let image: string;
  let url: string;
  let blueGroup: string;
  let greenGroup: string;
  let ruleArn: string;
  /** The test listener's default rule, and its address. */
  let testRuleArn: string;
  let testUrl: string;
  const network = { awsvpcConfiguration: { subnets: ['subnet-1'] } };
  /** One API minute lasts this long on this server (BERTH_DEPLOYMENT_MINUTE_MS). */
  const MINUTE_MS = 3000;

  /** Serves its version as / (and /health, unless sick) with busybox httpd on 8080. */
  const register = (version: string, options: { crash?: boolean } = {}) =>
    registerVersionedWeb(ecs, { family, image, version, ...options });
  const describeWeb = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0]!;
  const targetsOf = async (group: string) =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }))).TargetHealthDescriptions ?? [];
  /** The production rule's weight per group. */
  const weights = async (rule = ruleArn): Promise<Record<string, number>> => {
    const { Rules = [] } = await elb.send(new DescribeRulesCommand({ RuleArns: [rule] }));
    const groups = Rules[0]!.Actions![0]!.ForwardConfig!.TargetGroups ?? [];
    return Object.fromEntries(groups.map((g) => [g.TargetGroupArn!, g.Weight!]));
  };
  /** Until one COMPLETED deployment with `desired` healthy targets in `live`, and none left in the other group. */
  const waitSettled = async (desired: number, live: string) => {
    const other = live === blueGroup ? greenGroup : blueGroup;
    const deadline = Date.now() + 150_000;
    for (;;) {
      const service = await describeWeb();
      const targets = await targetsOf(live);
      const leftovers = await targetsOf(other);
      const settled =
        service.deployments?.length === 1 &&
        service.deployments[0]!.rolloutState === 'COMPLETED' &&
        service.runningCount === desired &&
        targets.length === desired &&
        targets.every((d) => d.TargetHealth?.State === 'healthy') &&
        leftovers.length === 0;
      if (settled) return service;
      assert.ok(
        Date.now() < deadline,
        `not settled: ${JSON.stringify({ deployments: service.deployments, targets, leftovers })}`,
      );
      await sleep(250);
    }
  };
  const deployment = (config: DeploymentConfiguration) => ({
    ...config,
    deploymentCircuitBreaker: { enable: true, rollback: true },
  });

  before(async () => {
    server = await startTestServer({ BERTH_DEPLOYMENT_MINUTE_MS: String(MINUTE_MS) });
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    image = (await docker.buildBusyboxImage(`berth-bg-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: cluster, Subnets: ['subnet-1'] }));
    const group = async (name: string) => {
      const { TargetGroups } = await elb.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: LoadBalancers![0]!.VpcId,
          TargetType: 'ip',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2,
        }),
      );
      const arn = TargetGroups![0]!.TargetGroupArn!;
      await elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: arn,
          Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }],
        }),
      );
      return arn;
    };
    blueGroup = await group(`${cluster}-blue`);
    greenGroup = await group(`${cluster}-green`);
    const listener = async (): Promise<{ rule: string; url: string }> => {
      const port = await freePort();
      const { Listeners } = await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: LoadBalancers![0]!.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: blueGroup }],
        }),
      );
      const { Rules = [] } = await elb.send(new DescribeRulesCommand({ ListenerArn: Listeners![0]!.ListenerArn }));
      return { rule: Rules.find((r) => r.IsDefault)!.RuleArn!, url: `http://127.0.0.1:${port}/` };
    };
    ({ rule: ruleArn, url } = await listener());
    ({ rule: testRuleArn, url: testUrl } = await listener());
  });
  after(async () => {
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  const loadBalancer = (advanced: object | undefined) => ({
    targetGroupArn: blueGroup,
    containerName: 'web',
    containerPort: 8080,
    ...(advanced ? { advancedConfiguration: advanced } : {}),
  });

  it('refuses a traffic-shifting strategy without a usable advancedConfiguration, and lifecycle hooks', async () => {
    const definition = await register('v1');
    const create = (config: DeploymentConfiguration, advanced?: object) =>
      ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: 'bad',
          taskDefinition: definition,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: network,
          deploymentConfiguration: config,
          loadBalancers: [loadBalancer(advanced)],
        }),
      );
    await rejectsWith(create({ strategy: 'BLUE_GREEN' }), 'InvalidParameterException', /advancedConfiguration/);
    const missingRule = { alternateTargetGroupArn: greenGroup, productionListenerRule: `${ruleArn}x` };
    await rejectsWith(create({ strategy: 'BLUE_GREEN' }, missingRule), 'InvalidParameterException', /does not exist/);
    const advanced = { alternateTargetGroupArn: greenGroup, productionListenerRule: ruleArn };
    await rejectsWith(
      create({ strategy: 'BLUE_GREEN' }, { ...advanced, testListenerRule: `${ruleArn}x` }),
      'InvalidParameterException',
      /test listener rule .* does not exist/,
    );
    await rejectsWith(
      create({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0 } }, advanced),
      'InvalidParameterException',
      /canaryPercent/,
    );
    await rejectsWith(
      create({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } }, advanced),
      'InvalidParameterException',
      /stepPercent/,
    );
    await rejectsWith(
      create(
        {
          strategy: 'BLUE_GREEN',
          lifecycleHooks: [
            { hookTargetArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', lifecycleStages: ['PRE_SCALE_UP'] },
          ],
        },
        advanced,
      ),
      'InvalidParameterException',
      /lifecycle hooks/,
    );
  });

  it('starts a BLUE_GREEN service in the primary target group', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: await register('v1'),
        desiredCount: 3,
        launchType: 'FARGATE',
        networkConfiguration: network,
        deploymentConfiguration: deployment({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }),
        loadBalancers: [
          loadBalancer({
            alternateTargetGroupArn: greenGroup,
            productionListenerRule: ruleArn,
            testListenerRule: testRuleArn,
          }),
        ],
        healthCheckGracePeriodSeconds: 10,
      }),
    );
    await waitSettled(3, blueGroup);
    assert.equal((await (await fetch(url)).text()).trim(), 'v1');
  });

  it('switches all production traffic to green at once, with zero failed requests', async () => {
    const client = new SteadyClient(url);
    await sleep(1_000);
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: await register('v2') }));
    // Green scales up in the alternate group while blue keeps all production traffic.
    const deadline = Date.now() + 60_000;
    while ((await targetsOf(greenGroup)).length < 3) {
      assert.ok(Date.now() < deadline, 'green never registered');
      await sleep(250);
    }
    assert.deepEqual(await weights(), { [blueGroup]: 100, [greenGroup]: 0 });
    await waitSettled(3, greenGroup);
    await sleep(1_000);
    await client.stop();
    assert.deepEqual(client.failures, []);
    const first = client.bodies.indexOf('v2');
    assert.ok(first > 0, 'saw v1 then v2');
    assert.deepEqual([...new Set(client.bodies.slice(first))], ['v2'], 'only v2 after the switch');
    assert.deepEqual(await weights(), { [blueGroup]: 0, [greenGroup]: 100 });
  });

  it('CANARY serves both versions at canaryPercent, then completes on the other group', async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'web',
        taskDefinition: await register('v3'),
        deploymentConfiguration: deployment({
          strategy: 'CANARY',
          bakeTimeInMinutes: 0,
          canaryConfiguration: { canaryPercent: 50, canaryBakeTimeInMinutes: 2 },
        }),
      }),
    );
    // The roles swap: v3 goes to the group v1 left (blue), v2's group (green) is now the one to drain.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const now = await weights();
      if (now[blueGroup] === 50 && now[greenGroup] === 50) break;
      assert.ok(Date.now() < deadline, `no canary weights: ${JSON.stringify(now)}`);
      await sleep(200);
    }
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await (await fetch(url)).text()).trim());
    assert.deepEqual([...seen].sort(), ['v2', 'v3']);
    // Test traffic is all on the new revision while production is split.
    assert.deepEqual(await weights(testRuleArn), { [blueGroup]: 100, [greenGroup]: 0 });
    for (let i = 0; i < 6; i++) assert.equal((await (await fetch(testUrl)).text()).trim(), 'v3');
    // The deployment shows where it is.
    const { serviceDeployments: briefs = [] } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'web', status: ['IN_PROGRESS'] }),
    );
    assert.equal(briefs.length, 1);
    const { serviceDeployments = [] } = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [briefs[0]!.serviceDeploymentArn!] }),
    );
    assert.equal(serviceDeployments[0]?.lifecycleStage, 'PRODUCTION_TRAFFIC_SHIFT');
    assert.equal(serviceDeployments[0]?.targetServiceRevision?.requestedProductionTrafficWeight, 50);
    await waitSettled(3, blueGroup);
    assert.deepEqual(await weights(), { [blueGroup]: 100, [greenGroup]: 0 });
    for (let i = 0; i < 6; i++) assert.equal((await (await fetch(url)).text()).trim(), 'v3');
  });

  it('LINEAR moves traffic in steps of stepPercent, serving both versions in between', async () => {
    const client = new SteadyClient(url);
    await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'web',
        taskDefinition: await register('v4'),
        deploymentConfiguration: deployment({
          strategy: 'LINEAR',
          bakeTimeInMinutes: 0,
          linearConfiguration: { stepPercent: 40, stepBakeTimeInMinutes: 1 },
        }),
      }),
    );
    const shares = new Set<number>();
    const deadline = Date.now() + 90_000;
    while (!shares.has(100)) {
      shares.add((await weights())[greenGroup]!);
      assert.ok(Date.now() < deadline, `shares so far: ${[...shares].join(', ')}`);
      await sleep(200);
    }
    assert.ok(shares.has(40) && shares.has(80), `shares: ${[...shares].join(', ')}`);
    await waitSettled(3, greenGroup);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.deepEqual([...new Set(client.bodies)].sort(), ['v3', 'v4']);
    assert.equal(client.bodies.at(-1), 'v4');
    // The deployments that are over stay listed: the current one first, then those retired.
    const { serviceDeployments: all = [] } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'web' }),
    );
    assert.ok(all.length >= 4, `deployments: ${all.length}`);
    assert.deepEqual(
      all.slice(0, 4).map((d) => d.status),
      ['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'],
    );
    const { serviceDeployments: [retired] = [] } = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [all[1]!.serviceDeploymentArn!] }),
    );
    assert.equal(retired?.targetServiceRevision?.runningTaskCount, 0);
    assert.ok(retired?.finishedAt, 'a retired deployment has finished');
  });

  it('rolls back to blue when the circuit breaker trips, blue serving throughout', async () => {
    const client = new SteadyClient(url);
    const { service } = await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'web',
        taskDefinition: await register('v5', { crash: true }),
        deploymentConfiguration: { strategy: 'BLUE_GREEN' },
      }),
    );
    const [failing, previous] = service!.deployments!;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const now = await describeWeb();
      if (now.events?.some((e) => e.message?.includes(`rolling back to deployment ${previous!.id}`))) break;
      assert.ok(Date.now() < deadline, `no rollback: ${JSON.stringify(now.deployments)}`);
      await sleep(500);
    }
    const settled = await waitSettled(3, greenGroup);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.deepEqual([...new Set(client.bodies)], ['v4']);
    assert.equal(settled.deployments![0]!.id, previous!.id);
    assert.equal(settled.taskDefinition, previous!.taskDefinition);
    assert.ok(!settled.deployments!.some((d) => d.id === failing!.id));
    assert.deepEqual(await weights(), { [blueGroup]: 0, [greenGroup]: 100 });
    assert.deepEqual(await weights(testRuleArn), { [blueGroup]: 0, [greenGroup]: 100 }, 'test traffic back on blue');
  });
  it('rolls back when a green task fails its health checks during the bake time', async () => {
    const client = new SteadyClient(url);
    const { service } = await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'web',
        taskDefinition: await register('v6'),
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 20 },
      }),
    );
    const [baking, previous] = service!.deployments!;
    const deadline = Date.now() + 120_000;
    // v6 has all production traffic and bakes with v4 still running.
    while ((await weights())[blueGroup] !== 100) {
      assert.ok(Date.now() < deadline, 'v6 never got the traffic');
      await sleep(250);
    }
    const [sick] = (await targetsOf(blueGroup)).map((d) => d.Target!.Id!);
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
      if (ip.stdout.includes(`${sick}/`)) {
        await docker.docker(['exec', id, '/bin/busybox', 'rm', '/www/health']);
        removed = true;
      }
    }
    assert.ok(removed, `no container has ${sick}`);
    for (;;) {
      const now = await describeWeb();
      if (now.events?.some((e) => e.message?.includes(`rolling back to deployment ${previous!.id}`))) break;
      assert.ok(Date.now() < deadline, `no rollback: ${JSON.stringify(now.deployments)}`);
      await sleep(500);
    }
    const settled = await waitSettled(3, greenGroup);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.equal(client.bodies.at(-1), 'v4');
    assert.equal(settled.deployments![0]!.id, previous!.id);
    assert.ok(!settled.deployments!.some((d) => d.id === baking!.id));
    assert.deepEqual(await weights(), { [blueGroup]: 0, [greenGroup]: 100 });
  });

  it('rolls back to blue when green tasks fail their container health checks while scaling up', async () => {
    const client = new SteadyClient(url);
    const serve = 'mkdir -p /www && echo v7 > /www/index.html && echo ok > /www/health && httpd -f -p 8080 -h /www';
    const { taskDefinition: sick } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image,
            command: ['sh', '-c', serve],
            portMappings: [{ containerPort: 8080 }],
            stopTimeout: 2,
            healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 },
          },
        ],
      }),
    );
    const { service } = await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'web',
        taskDefinition: sick!.taskDefinitionArn,
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
      }),
    );
    const [failing, previous] = service!.deployments!;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const now = await describeWeb();
      if (now.events?.some((e) => e.message === `(service web) rolling back to deployment ${previous!.id}.`)) break;
      assert.ok(Date.now() < deadline, `no rollback: ${JSON.stringify(now.deployments)}`);
      await sleep(500);
    }
    const settled = await waitSettled(3, greenGroup);
    await client.stop();
    assert.deepEqual(client.failures, []);
    assert.deepEqual([...new Set(client.bodies)], ['v4']);
    assert.equal(settled.deployments![0]!.id, previous!.id);
    const messages = (settled.events ?? []).map((e) => e.message);
    assert.ok(
      messages.includes(`(service web) (deployment ${failing!.id}) deployment failed: tasks failed to start.`),
      JSON.stringify(messages.slice(0, 6)),
    );
    // Green's three tasks were replaced for their health checks: 3 failures for 3 desired tasks.
    const { serviceDeployments: all = [] } = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service: 'web' }),
    );
    const arn = all.find((d) => d.serviceDeploymentArn!.endsWith(`/${failing!.id!.split('/')[1]}`));
    const { serviceDeployments: [failed] = [] } = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn!.serviceDeploymentArn!] }),
    );
    assert.equal(failed?.statusReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(failed?.deploymentCircuitBreaker?.status, 'TRIGGERED');
    assert.equal(failed?.deploymentCircuitBreaker?.threshold, 3); // max(3, ceil(0.5 x 3))
    assert.ok(failed!.deploymentCircuitBreaker!.failureCount! >= 3, JSON.stringify(failed?.deploymentCircuitBreaker));
    assert.deepEqual(await weights(), { [blueGroup]: 0, [greenGroup]: 100 });
  });
});
