import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createHttpLoadBalancer, freePort, registerVersionedWeb } from '../../testing/load-balancer.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeContainersLabelled } from '../../testing/tasks.ts';
import { cliAlarms, completed, serviceWatch } from '../../testing/deployment-alarms.ts';

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

/** One API minute lasts this long on this server (BERTH_DEPLOYMENT_MINUTE_MS). */
const MINUTE_MS = 1000;

/**
 * Deployment alarms of a BLUE_GREEN service behind a real listener and of a DAEMON service, on real
 * containers; the alarms are made and driven with the AWS CLI as in deployment-alarms.test.ts
 * (TreatMissingData ignore keeps a state set by hand). Each alarm goes to ALARM while its deployment
 * bakes: the blue/green one in its BAKE_TIME stage (bakeTimeInMinutes 60: a minute here), the
 * daemon's in the bake computed from its alarm (60 s x 15 periods: 15 s here).
 */
describe('ECS deployment alarms roll back blue/green and DAEMON deployments', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let cw: ReturnType<typeof awsCliFor>;
  let agent: AgentProcess | undefined;
  const docker = new DockerSession();
  const id = randomBytes(4).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'berth-alarms-'));
  let image: string;

  const { putAlarm, setAlarm } = cliAlarms(() => cw);
  const { waitFor, serviceDeployment } = serviceWatch(() => ecs, { timeoutMs: 90_000, pollMs: 250 });
  const eventsOf = (s: Service): string[] => (s.events ?? []).map((e) => e.message!);

  before(async () => {
    server = await startTestServer({ BERTH_DEPLOYMENT_MINUTE_MS: String(MINUTE_MS) });
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    cw = awsCliFor(server, 'cloudwatch');
    image = (await docker.buildBusyboxImage(`berth-das-${id}:1`)).tag;
  });
  after(async () => {
    agent?.child.kill('SIGKILL');
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    for (const cluster of [`dab-${id}`, `dad-${id}`])
      for (const label of [cluster, `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`])
        await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${label}`);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('an alarm during BAKE_TIME sends production and test traffic back to blue, blue PRIMARY, green FAILED', async () => {
    const cluster = `dab-${id}`;
    const at = { cluster, name: 'web' };
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    // Blue serves on the production listener's group; green gets the alternate group.
    const lb = await createHttpLoadBalancer(elb, cluster, { targetType: 'ip', port: 8080, healthCheckPath: '/health' });
    const { TargetGroups: [blueGroup] = [] } = await elb.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [lb.targetGroupArn] }),
    );
    const { TargetGroups: [greenGroup] = [] } = await elb.send(
      new CreateTargetGroupCommand({
        ...{ Name: `${cluster}-green`, Protocol: 'HTTP', Port: 8080, VpcId: blueGroup!.VpcId, TargetType: 'ip' },
        ...{ HealthCheckPath: '/health', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 },
        ...{ HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 },
      }),
    );
    const testPort = await freePort();
    const { Listeners: [testListener] = [] } = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.loadBalancerArn,
        Protocol: 'HTTP',
        Port: testPort,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: lb.targetGroupArn }],
      }),
    );
    const defaultRule = async (listener: string): Promise<string> => {
      const { Rules = [] } = await elb.send(new DescribeRulesCommand({ ListenerArn: listener }));
      return Rules.find((r) => r.IsDefault)!.RuleArn!;
    };
    const productionRule = await defaultRule(lb.listenerArn);
    const testRule = await defaultRule(testListener!.ListenerArn!);
    /** The rule's weight on the green group (0 when it forwards all to blue). */
    const greenWeight = async (rule: string): Promise<number> => {
      const { Rules = [] } = await elb.send(new DescribeRulesCommand({ RuleArns: [rule] }));
      const groups = Rules[0]!.Actions![0]!.ForwardConfig?.TargetGroups ?? [];
      return groups.find((g) => g.TargetGroupArn === greenGroup!.TargetGroupArn)?.Weight ?? 0;
    };
    const body = async (url: string): Promise<string> => (await (await fetch(url)).text()).trim();

    await putAlarm('bg-errors', 1);
    const alarms = { alarmNames: ['bg-errors'], enable: true, rollback: true };
    const family = `${cluster}-web`;
    const v1 = await registerVersionedWeb(ecs, { family, image, version: 'v1' });
    const v2 = await registerVersionedWeb(ecs, { family, image, version: 'v2' });
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 60, alarms },
        loadBalancers: [
          {
            targetGroupArn: lb.targetGroupArn,
            containerName: 'web',
            containerPort: 8080,
            advancedConfiguration: {
              alternateTargetGroupArn: greenGroup!.TargetGroupArn!,
              productionListenerRule: productionRule,
              testListenerRule: testRule,
            },
          },
        ],
        healthCheckGracePeriodSeconds: 10,
      }),
    );
    const first = await waitFor(at, 'v1 never completed', completed(v1, 1));
    assert.equal(await body(lb.url), 'v1');
    const blue = first.deployments![0]!.id!;
    const { service } = await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: v2 }));
    const green = service!.deployments![0]!.id!;
    assert.deepEqual(service!.deploymentConfiguration?.alarms, alarms, 'the alarms stay as given');
    // Green has all production traffic and bakes, blue still running.
    await waitFor(
      at,
      'v2 never got the production traffic',
      async (s, tasks) =>
        s.deployments?.[0]?.id === green &&
        s.deployments[0].rolloutState === 'IN_PROGRESS' &&
        tasks.length === 2 &&
        (await greenWeight(productionRule)) === 100,
    );
    assert.equal(await body(lb.url), 'v2');
    assert.equal((await serviceDeployment({ cluster, name: 'web' }, green)).lifecycleStage, 'BAKE_TIME');
    await setAlarm('bg-errors', 'ALARM');

    const rolled = await waitFor(at, 'no rollback', (s) =>
      eventsOf(s).includes(`(service web) rolling back to deployment ${blue}.`),
    );
    assert.deepEqual([await greenWeight(productionRule), await greenWeight(testRule)], [0, 0], 'traffic back on blue');
    // The listeners follow their rules within a moment; from then on only blue answers.
    await waitFor(at, 'the listener never answered v1 again', async () => (await body(lb.url)) === 'v1');
    for (let i = 0; i < 4; i++) assert.equal(await body(lb.url), 'v1');
    assert.equal(await body(`http://127.0.0.1:${testPort}/`), 'v1');
    assert.equal(rolled.taskDefinition, v1);
    assert.deepEqual([rolled.deployments![0]!.id, rolled.deployments![0]!.status], [blue, 'PRIMARY']);
    const events = eventsOf(rolled);
    const failedAt = events.indexOf(`(service web) (deployment ${green}) deployment failed: alarm detected.`);
    assert.ok(failedAt > events.indexOf(`(service web) rolling back to deployment ${blue}.`), JSON.stringify(events));
    const failed = await serviceDeployment({ cluster, name: 'web' }, green);
    assert.equal(failed.statusReason, 'ECS deployment failed: alarm(s) detected: bg-errors.');
    assert.deepEqual(failed.alarms, {
      status: 'TRIGGERED',
      alarmNames: ['bg-errors'],
      triggeredAlarmNames: ['bg-errors'],
    });
    // Green's task goes, blue alone serves: no new deployment was made for the rollback.
    const settled = await waitFor(at, 'green never left', completed(v1, 1));
    assert.equal(settled.deployments![0]!.id, blue);
    assert.equal(await body(lb.url), 'v1');
  });

  it('an alarm during the bake time fails a DAEMON deployment, and the daemon runs the previous definition again', async () => {
    const cluster = `dad-${id}`;
    const at = { cluster, name: 'daemon' };
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const configFile = join(work, 'agent.config');
    writeFileSync(configFile, `ECS_CLUSTER=${cluster}\nECS_CONTAINER_STOP_TIMEOUT=1s\n`);
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
      },
      ['--config-file', configFile, '--cpu', '1024', '--memory', '512', '--data-dir', join(work, 'agent')],
    );
    const register = async (version: string): Promise<string> => {
      const { taskDefinition } = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `${cluster}-daemon`,
          containerDefinitions: [
            { name: 'd', image, memory: 20, command: ['sh', '-c', `echo ${version}; sleep 600`], stopTimeout: 1 },
          ],
        }),
      );
      return taskDefinition!.taskDefinitionArn!;
    };
    const v1 = await register('v1');
    const v2 = await register('v2');
    await ecs.send(
      new CreateServiceCommand({ cluster, serviceName: 'daemon', taskDefinition: v1, schedulingStrategy: 'DAEMON' }),
    );
    const first = await waitFor(at, 'v1 never completed', completed(v1, 1));
    const previous = first.deployments![0]!.id!;
    await putAlarm('daemon-errors', 15);
    const alarms = { alarmNames: ['daemon-errors'], enable: true, rollback: true };
    const { service } = await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service: 'daemon',
        taskDefinition: v2,
        deploymentConfiguration: { alarms },
      }),
    );
    const deployment = service!.deployments![0]!.id!;
    // v2 replaced v1 on the instance and is steady, but bakes: IN_PROGRESS, v1's deployment kept.
    await waitFor(
      at,
      'v2 never reached its bake time',
      (s, tasks) =>
        s.deployments?.[0]?.id === deployment &&
        s.deployments[0].rolloutState === 'IN_PROGRESS' &&
        s.deployments.length === 2 &&
        tasks.length === 1 &&
        tasks[0]!.taskDefinitionArn === v2 &&
        eventsOf(s).includes('(service daemon) has reached a steady state.'),
    );
    await setAlarm('daemon-errors', 'ALARM');

    const rolled = await waitFor(at, 'no rollback', (s) =>
      eventsOf(s).includes(`(service daemon) rolling back to deployment ${previous}.`),
    );
    assert.ok(
      eventsOf(rolled).includes(`(service daemon) (deployment ${deployment}) deployment failed: alarm detected.`),
      JSON.stringify(eventsOf(rolled).slice(0, 5)),
    );
    assert.equal(rolled.taskDefinition, v1);
    const rollback = rolled.deployments![0]!;
    assert.deepEqual([rollback.taskDefinition, rollback.status], [v1, 'PRIMARY']);
    // The failed deployment retires as soon as its task is stopped (it may already have): its history keeps it.
    const failed = await serviceDeployment({ cluster, name: 'daemon' }, deployment);
    assert.equal(failed.statusReason, 'ECS deployment failed: alarm(s) detected: daemon-errors.');
    assert.deepEqual(failed.alarms, {
      status: 'TRIGGERED',
      alarmNames: ['daemon-errors'],
      triggeredAlarmNames: ['daemon-errors'],
    });
    // The rollback's deployment replaces v2's task with v1's on the instance.
    await waitFor(
      at,
      'v1 never ran again',
      (s, tasks) => s.deployments?.[0]?.id === rollback!.id && tasks.length === 1 && tasks[0]!.taskDefinitionArn === v1,
    );
  });
});
