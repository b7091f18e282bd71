import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { get, startTarget, type TestTarget } from '../../testing/elb-proxy.ts';
import { createHttpLoadBalancer, type HttpLoadBalancer } from '../../testing/load-balancer.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

interface Datapoint {
  Timestamp: string;
  Sum: number;
  SampleCount: number;
  Unit: string;
  ExtendedStatistics?: Record<string, number>;
}

/**
 * AWS/ApplicationELB metrics from the proxy's counters: the server writes what it counted every
 * second here (BERTH_METRICS_PUBLISH_MS=1000); CloudWatch's period is still 60 s.
 */
describe('AWS/ApplicationELB metrics of a listener', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let elb: ElasticLoadBalancingV2Client;
  let cloudwatch: ReturnType<typeof awsCliFor>;
  let target: TestTarget;
  let lb: HttpLoadBalancer;
  let dimension: string;

  before(async () => {
    server = await startTestServer({ BERTH_METRICS_PUBLISH_MS: '1000' });
    elb = new ElasticLoadBalancingV2Client({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    cloudwatch = awsCliFor(server, 'cloudwatch');
    target = await startTarget('web');
    lb = await createHttpLoadBalancer(elb, 'metrics', {
      targetType: 'ip',
      port: target.port,
      healthCheckPath: '/health',
    });
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: lb.targetGroupArn,
        Targets: [{ Id: '127.0.0.1', Port: target.port }],
      }),
    );
    dimension = lb.loadBalancerArn.slice(lb.loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
  });
  after(async () => {
    elb?.destroy();
    await server?.stop();
    await target?.close();
  });

  async function statistics(metric: string, dimensions: string[], extra: string[], ready: (p: Datapoint) => boolean) {
    const deadline = Date.now() + 60_000;
    let last: Datapoint[] = [];
    while (Date.now() < deadline) {
      const answer = await cloudwatch.json<{ Datapoints: Datapoint[] }>(
        'get-metric-statistics',
        '--namespace',
        'AWS/ApplicationELB',
        '--metric-name',
        metric,
        '--dimensions',
        ...dimensions,
        '--start-time',
        new Date(Date.now() - 600_000).toISOString(),
        '--end-time',
        new Date(Date.now() + 60_000).toISOString(),
        '--period',
        '60',
        ...extra,
      );
      last = answer.Datapoints;
      const point = last.find(ready);
      if (point) return point;
      await sleep(500);
    }
    throw new Error(`no ${metric} datapoint got there; last seen ${JSON.stringify(last)}`);
  }

  it('counts the requests through the listener, their target codes and response times', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await get(Number(new URL(lb.url).port))).status, 200);
    const total = (points: Datapoint) => points.Sum >= 20;
    const byLb = [`Name=LoadBalancer,Value=${dimension}`];
    const requests = await statistics('RequestCount', byLb, ['--statistics', 'Sum'], total);
    assert.equal(requests.Unit, 'Count');
    await statistics('HTTPCode_Target_2XX_Count', byLb, ['--statistics', 'Sum'], total);
    const group = lb.targetGroupArn.slice(lb.targetGroupArn.lastIndexOf(':') + 1);
    const both = [...byLb, `Name=TargetGroup,Value=${group}`];
    await statistics('RequestCount', both, ['--statistics', 'Sum'], total);
    const time = await statistics(
      'TargetResponseTime',
      byLb,
      ['--extended-statistics', 'p99'],
      (p) => p.ExtendedStatistics?.p99 !== undefined,
    );
    assert.equal(time.Unit, 'Seconds');
    assert.ok(time.ExtendedStatistics!.p99! > 0 && time.ExtendedStatistics!.p99! < 5, JSON.stringify(time));
    await statistics('HealthyHostCount', both, ['--statistics', 'Maximum'], () => true);
  });
});
