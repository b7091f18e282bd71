import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import {
  METRICS_MINUTE_MS,
  metricsTimeEstimate,
  serviceScalableTarget,
  waitForValue,
} from '../../testing/autoscaling.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

/**
 * Each task burns a CPU loop while /burn exists in its container (the test removes it to stop the
 * load), and at most 12 million turns of it (a few minutes at a quarter of a CPU) whatever happens
 * to the test; then it idles.
 */
const BURN = ': > /burn; i=0; while [ -e /burn ] && [ $i -lt 12000000 ]; do i=$((i+1)); done; exec sleep 3600';

interface Json {
  [key: string]: unknown;
}

/**
 * Target tracking on real containers: a service of CPU-burning FARGATE tasks (256 CPU units each,
 * Fargate's limit) scales out from 1 under ECSServiceAverageCPUUtilization, through the
 * TargetTracking-...-AlarmHigh alarm (3 one-minute datapoints, the policy's own), and back in
 * through AlarmLow (15 datapoints) once the test stops the load. Minutes are 2 s long
 * (BERTH_METRICS_MINUTE_MS=2000), so the whole takes a couple of minutes instead of twenty.
 */
describe('Target tracking on AWS/ECS CPUUtilization of burning tasks', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let aas: ReturnType<typeof awsCliFor>;
  let cw: ReturnType<typeof awsCliFor>;
  const docker = new DockerSession();
  const cluster = `tt-${randomBytes(4).toString('hex')}`;
  const service = 'burn';
  const { resourceId, args: target } = serviceScalableTarget(cluster, service);

  const metricsTime = metricsTimeEstimate();
  const metricsNow = metricsTime.now;

  before(async () => {
    metricsTime.start();
    server = await startTestServer({ BERTH_METRICS_MINUTE_MS: String(METRICS_MINUTE_MS) });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    aas = awsCliFor(server, 'application-autoscaling');
    cw = awsCliFor(server, 'cloudwatch');
    const { tag: image } = await docker.buildBusyboxImage(`berth-tt-${randomBytes(4).toString('hex')}:1`);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-burn`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'burn', image, command: ['sh', '-c', BURN], stopTimeout: 1 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: `${cluster}-burn`,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
      }),
    );
  });
  after(async () => {
    // The load stops with the containers, whatever the test got to.
    await ecs?.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => {});
    await removeClusterContainers(docker, cluster);
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  const waitFor = waitForValue;

  const desiredCount = async () =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.desiredCount!;
  const runningTasks = async () =>
    (await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns!
      .length;
  const alarms = async () =>
    (await cw.json<{ MetricAlarms: Json[] }>('describe-alarms', '--alarm-name-prefix', `TargetTracking-${resourceId}-`))
      .MetricAlarms;
  const activities = async () =>
    (await aas.json<{ ScalingActivities: Json[] }>('describe-scaling-activities', ...target)).ScalingActivities;

  /** Stops the burn in every container of the cluster (those that have no /burn say so; ignored). */
  async function stopLoad(): Promise<void> {
    const listed = await docker.docker([
      'ps',
      '-q',
      '--filter',
      `label=com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}`,
    ]);
    for (const id of listed.stdout.split(/\s+/).filter(Boolean))
      await docker.docker(['exec', id, '/bin/busybox', 'rm', '-f', '/burn']);
  }

  it('scales out under load, and back in once the load stops', async () => {
    await aas.json('register-scalable-target', ...target, '--min-capacity', '1', '--max-capacity', '3');
    const put = await aas.json<{ PolicyARN: string; Alarms: { AlarmName: string }[] }>(
      'put-scaling-policy',
      ...target,
      '--policy-name',
      'cpu20',
      '--policy-type',
      'TargetTrackingScaling',
      '--target-tracking-scaling-policy-configuration',
      JSON.stringify({
        TargetValue: 20,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        ScaleOutCooldown: 60,
        ScaleInCooldown: 60,
        DisableScaleIn: false,
      }),
    );
    assert.equal(put.Alarms.length, 2);
    const [high, low] = ['-AlarmHigh-', '-AlarmLow-'].map((kind) =>
      put.Alarms.find((a) => a.AlarmName.includes(kind))!,
    );
    assert.ok(high && low, JSON.stringify(put.Alarms));

    // One task burning a quarter of a CPU: about 100% of its 256 units, past the target of 20%.
    await waitFor('the desired count', desiredCount, (n) => n > 1);
    const out = (await activities()).find(
      (a) => a.Cause === `monitor alarm ${high.AlarmName} in state ALARM triggered policy cpu20`,
    );
    assert.ok(out, JSON.stringify(await activities()));
    assert.match(String(out.Description), /^Setting desired count to [23]\.$/);
    assert.equal(out.StatusCode, 'Successful');
    const listed = await alarms();
    assert.deepEqual(listed.map((a) => a.AlarmName).sort(), [high.AlarmName, low.AlarmName].sort());
    const highAlarm = listed.find((a) => a.AlarmName === high.AlarmName)!;
    assert.equal(highAlarm.Namespace, 'AWS/ECS');
    assert.equal(highAlarm.MetricName, 'CPUUtilization');
    assert.equal(highAlarm.Period, 60);
    assert.equal(highAlarm.EvaluationPeriods, 3);
    assert.deepEqual(highAlarm.AlarmActions, [put.PolicyARN]);
    const history = await cw.json<{ AlarmHistoryItems: Json[] }>(
      'describe-alarm-history',
      '--alarm-name',
      high.AlarmName,
      '--history-item-type',
      'StateUpdate',
    );
    assert.ok(
      history.AlarmHistoryItems.some((h) => /to ALARM$/.test(String(h.HistorySummary))),
      JSON.stringify(history),
    );

    // The service's datapoints, as the alarm saw them: minutes of metrics time, near 100%.
    const stats = await cw.json<{ Datapoints: { Timestamp: string; Maximum: number; Unit: string }[] }>(
      'get-metric-statistics',
      '--namespace',
      'AWS/ECS',
      '--metric-name',
      'CPUUtilization',
      '--dimensions',
      `Name=ClusterName,Value=${cluster}`,
      `Name=ServiceName,Value=${service}`,
      '--start-time',
      new Date(metricsNow() - 6 * 3_600_000).toISOString(),
      '--end-time',
      new Date(metricsNow() + 3_600_000).toISOString(),
      '--period',
      '60',
      '--statistics',
      'Average',
      'Maximum',
    );
    assert.ok(
      stats.Datapoints.some((p) => p.Maximum > 20),
      JSON.stringify(stats),
    );
    assert.ok(stats.Datapoints.every((p) => p.Unit === 'Percent' && new Date(p.Timestamp).getTime() % 60_000 === 0));

    // The new tasks burn too until told to stop; then AlarmLow's 15 low minutes bring it back to 1.
    await waitFor('the running tasks', runningTasks, (n) => n > 1);
    await stopLoad();
    const stopping = setInterval(() => void stopLoad().catch(() => {}), 5000);
    try {
      await waitFor('the desired count', desiredCount, (n) => n === 1);
    } finally {
      clearInterval(stopping);
    }
    const back = (await activities()).find(
      (a) => a.Cause === `monitor alarm ${low.AlarmName} in state ALARM triggered policy cpu20`,
    );
    assert.ok(back, JSON.stringify(await activities()));
    assert.equal(back.Description, 'Setting desired count to 1.');
    const lowAlarm = (await alarms()).find((a) => a.AlarmName === low.AlarmName)!;
    assert.equal(lowAlarm.StateValue, 'ALARM');
    assert.equal(lowAlarm.Threshold, 18); // 90% of the target
    await waitFor('the running tasks', runningTasks, (n) => n === 1);
  });
});
