import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createHttpLoadBalancer, registerVersionedWeb, type HttpLoadBalancer } from '../../testing/load-balancer.ts';
import {
  METRICS_MINUTE_MS,
  metricsTimeEstimate,
  serviceScalableTarget,
  waitForValue,
} from '../../testing/autoscaling.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

interface Json {
  [key: string]: unknown;
}

/**
 * A bounded client to the listener on 127.0.0.1: one request at a time, `pauseMs` apart, until
 * stopped, at most 4,000 requests and 4 minutes.
 */
class BoundedClient {
  sent = 0;
  ok = 0;
  pauseMs = 20;
  #running = true;
  readonly #done: Promise<void>;

  constructor(url: string) {
    this.#done = this.#loop(url);
  }

  async #loop(url: string): Promise<void> {
    const deadline = Date.now() + 240_000;
    while (this.#running && this.sent < 4000 && Date.now() < deadline) {
      this.sent++;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        await response.text();
        if (response.status === 200) this.ok++;
      } catch {
        // counted as sent, not ok
      }
      await sleep(this.pauseMs);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

/**
 * ALBRequestCountPerTarget target tracking on real containers: a FARGATE service of busybox httpd
 * tasks behind an application load balancer scales out while a bounded client sends it requests
 * (RequestCountPerTarget per minute above the target, from the proxy's counters), and back in
 * once the client slows to a trickle (not to nothing: without requests the load balancer reports
 * no RequestCountPerTarget, and target tracking, as AWS's, does not scale in on missing data).
 * Minutes are 2 s long (BERTH_METRICS_MINUTE_MS=2000).
 */
describe('Target tracking on ALBRequestCountPerTarget', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let aas: ReturnType<typeof awsCliFor>;
  let cw: ReturnType<typeof awsCliFor>;
  let lb: HttpLoadBalancer;
  let client: BoundedClient | undefined;
  const docker = new DockerSession();
  const cluster = `albtt-${randomBytes(4).toString('hex')}`;
  const service = 'web';
  const { args: target } = serviceScalableTarget(cluster, service);

  const metricsTime = metricsTimeEstimate();
  const metricsNow = metricsTime.now;

  before(async () => {
    metricsTime.start();
    server = await startTestServer({ BERTH_METRICS_MINUTE_MS: String(METRICS_MINUTE_MS) });
    const options = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(options);
    elb = new ElasticLoadBalancingV2Client(options);
    aas = awsCliFor(server, 'application-autoscaling');
    cw = awsCliFor(server, 'cloudwatch');
    const image = (await docker.buildBusyboxImage(`berth-albtt-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    lb = await createHttpLoadBalancer(elb, cluster, { targetType: 'ip', port: 8080, healthCheckPath: '/health' });
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: await registerVersionedWeb(ecs, { family: `${cluster}-web`, image, version: 'v1' }),
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        loadBalancers: [{ targetGroupArn: lb.targetGroupArn, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 10,
      }),
    );
  });
  after(async () => {
    await client?.stop();
    await ecs?.send(new DeleteServiceCommand({ cluster, service, force: true })).catch(() => {});
    ecs?.destroy();
    elb?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  const waitFor = waitForValue;

  const desiredCount = async () =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.desiredCount!;
  const healthyTargets = async () =>
    (
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: lb.targetGroupArn })))
        .TargetHealthDescriptions ?? []
    ).filter((d) => d.TargetHealth?.State === 'healthy').length;
  const activities = async () =>
    (await aas.json<{ ScalingActivities: Json[] }>('describe-scaling-activities', ...target)).ScalingActivities;

  it('scales out while a client sends requests, and back in once they slow to a trickle', async () => {
    await waitFor('the healthy targets', healthyTargets, (n) => n === 1);
    const loadBalancer = lb.loadBalancerArn.slice(
      lb.loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length,
    );
    const targetGroup = lb.targetGroupArn.slice(lb.targetGroupArn.lastIndexOf(':') + 1);
    await aas.json('register-scalable-target', ...target, '--min-capacity', '1', '--max-capacity', '3');
    const put = await aas.json<{ PolicyARN: string; Alarms: { AlarmName: string }[] }>(
      'put-scaling-policy',
      ...target,
      '--policy-name',
      'requests',
      '--policy-type',
      'TargetTrackingScaling',
      '--target-tracking-scaling-policy-configuration',
      JSON.stringify({
        TargetValue: 5,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: `${loadBalancer}/${targetGroup}`,
        },
        ScaleOutCooldown: 60,
        ScaleInCooldown: 60,
      }),
    );
    const [high, low] = ['-AlarmHigh-', '-AlarmLow-'].map((kind) => put.Alarms.find((a) => a.AlarmName.includes(kind)));
    assert.ok(high && low, JSON.stringify(put.Alarms));
    const alarms = await cw.json<{ MetricAlarms: Json[] }>('describe-alarms', '--alarm-names', high.AlarmName);
    assert.equal(alarms.MetricAlarms[0]!.Namespace, 'AWS/ApplicationELB');
    assert.equal(alarms.MetricAlarms[0]!.MetricName, 'RequestCountPerTarget');
    assert.equal(alarms.MetricAlarms[0]!.Statistic, 'Sum');
    assert.deepEqual(alarms.MetricAlarms[0]!.Dimensions, [{ Name: 'TargetGroup', Value: targetGroup }]);

    // Tens of requests a second to one target: hundreds a (2-second) minute, far above 5.
    client = new BoundedClient(lb.url);
    await waitFor('the desired count', desiredCount, (n) => n > 1);
    const out = (await activities()).find(
      (a) => a.Cause === `monitor alarm ${high.AlarmName} in state ALARM triggered policy requests`,
    );
    assert.ok(out, JSON.stringify(await activities()));
    assert.match(String(out.Description), /^Setting desired count to [23]\.$/);
    const stats = await cw.json<{ Datapoints: { Sum: number; Unit: string }[] }>(
      'get-metric-statistics',
      '--namespace',
      'AWS/ApplicationELB',
      '--metric-name',
      'RequestCountPerTarget',
      '--dimensions',
      `Name=TargetGroup,Value=${targetGroup}`,
      '--start-time',
      new Date(metricsNow() - 6 * 3_600_000).toISOString(),
      '--end-time',
      new Date(metricsNow() + 3_600_000).toISOString(),
      '--period',
      '60',
      '--statistics',
      'Sum',
    );
    assert.ok(
      stats.Datapoints.some((p) => p.Sum > 5 && p.Unit === 'Count'),
      JSON.stringify(stats),
    );
    await waitFor('the healthy targets', healthyTargets, (n) => n > 1);

    // A request a second: about 2 a minute over the targets, under 90% of 5 for AlarmLow's 15 minutes.
    client.pauseMs = 1000;
    await waitFor('the desired count', desiredCount, (n) => n === 1, 180_000);
    await client.stop();
    assert.ok(client.ok > 0 && client.sent <= 4000, `${client.ok} of ${client.sent}`);
    const back = (await activities()).find(
      (a) => a.Cause === `monitor alarm ${low.AlarmName} in state ALARM triggered policy requests`,
    );
    assert.ok(back, JSON.stringify(await activities()));
    assert.equal(back.Description, 'Setting desired count to 1.');
  });
});
