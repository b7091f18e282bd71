import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerTraffic, TargetGroupTraffic } from './data-plane-contract.ts';
import {
  elbMetricData,
  loadBalancerDimension,
  targetGroupDimension,
  type ConnectionCarry,
} from './load-balancer-metrics.ts';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/73e2d6bc24d8a067';
const MINUTE = Date.parse('2026-01-01T00:05:00Z');

function group(fields: Partial<TargetGroupTraffic> = {}): TargetGroupTraffic {
  return {
    targetGroupArn: TG,
    requests: 0,
    target2xx: 0,
    target3xx: 0,
    target4xx: 0,
    target5xx: 0,
    responseTimes: { values: [], counts: [] },
    healthy: 2,
    unhealthy: 1,
    ...fields,
  };
}

function traffic(fields: Partial<LoadBalancerTraffic> = {}): LoadBalancerTraffic {
  return {
    loadBalancerArn: LB,
    requests: 0,
    elb4xx: 0,
    elb5xx: 0,
    fixedResponses: 0,
    newConnections: 0,
    rejectedConnections: 0,
    openConnections: 0,
    targetGroups: [group()],
    ...fields,
  };
}

const key = (d: { MetricName: string; Dimensions: readonly { Name: string }[] }) =>
  `${d.MetricName}[${d.Dimensions.map((x) => x.Name).join(',')}]`;

describe('AWS/ApplicationELB datapoints', () => {
  it('names the dimensions as CloudWatch does', () => {
    assert.equal(loadBalancerDimension(LB), 'app/web/50dc6c495c0c9188');
    assert.equal(targetGroupDimension(TG), 'targetgroup/web-tg/73e2d6bc24d8a067');
  });

  it('reports counts per load balancer and per target group, response times as a distribution', () => {
    const data = elbMetricData(
      [
        traffic({
          requests: 10,
          elb5xx: 1,
          newConnections: 4,
          openConnections: 1,
          targetGroups: [
            group({
              requests: 10,
              target2xx: 9,
              target5xx: 1,
              responseTimes: { values: [0.01, 0.2], counts: [9, 1] },
            }),
          ],
        }),
      ],
      MINUTE,
      new Map(),
    );
    const byKey = new Map(data.map((d) => [key(d), d]));
    assert.equal(byKey.get('RequestCount[LoadBalancer]')!.Value, 10);
    assert.equal(byKey.get('RequestCount[LoadBalancer,TargetGroup]')!.Value, 10);
    assert.equal(byKey.get('HTTPCode_Target_2XX_Count[LoadBalancer]')!.Value, 9);
    assert.equal(byKey.get('HTTPCode_Target_5XX_Count[LoadBalancer,TargetGroup]')!.Value, 1);
    assert.equal(byKey.get('HTTPCode_ELB_5XX_Count[LoadBalancer]')!.Unit, 'Count');
    // 10 requests / 2 healthy targets
    assert.equal(byKey.get('RequestCountPerTarget[TargetGroup]')!.Value, 5);
    assert.equal(byKey.get('RequestCountPerTarget[LoadBalancer,TargetGroup]')!.Value, 5);
    const time = byKey.get('TargetResponseTime[LoadBalancer,TargetGroup]')!;
    assert.deepEqual([time.Unit, time.Values, time.Counts], ['Seconds', [0.01, 0.2], [9, 1]]);
    assert.equal(byKey.get('HealthyHostCount[LoadBalancer,TargetGroup]')!.Value, 2);
    assert.equal(byKey.get('UnHealthyHostCount[LoadBalancer,TargetGroup]')!.Value, 1);
    assert.equal(byKey.get('ActiveConnectionCount[LoadBalancer]')!.Value, 4);
    assert.deepEqual(byKey.get('RequestCount[LoadBalancer]')!.Timestamp, new Date(MINUTE));
    // Zero counts are not reported, as with ALB
    assert.equal(byKey.has('HTTPCode_ELB_4XX_Count[LoadBalancer]'), false);
    assert.equal(byKey.has('HTTPCode_Target_3XX_Count[LoadBalancer]'), false);
  });

  it('reports host counts without traffic, and nothing else', () => {
    const data = elbMetricData([traffic()], MINUTE, new Map());
    assert.deepEqual(data.map(key).sort(), [
      'HealthyHostCount[LoadBalancer,TargetGroup]',
      'UnHealthyHostCount[LoadBalancer,TargetGroup]',
    ]);
  });

  it('counts connections open when a minute began in that minute, once', () => {
    const carry: ConnectionCarry = new Map();
    const active = (data: ReturnType<typeof elbMetricData>) =>
      data.find((d) => d.MetricName === 'ActiveConnectionCount')?.Value ?? 0;
    // Minute 1: 3 opened, 2 still open at the take
    assert.equal(active(elbMetricData([traffic({ newConnections: 3, openConnections: 2 })], MINUTE, carry)), 3);
    // Minute 2, first take: the 2 carried + 1 new; its second take: only what is new
    const next = MINUTE + 60_000;
    assert.equal(active(elbMetricData([traffic({ newConnections: 1, openConnections: 3 })], next, carry)), 3);
    assert.equal(active(elbMetricData([traffic({ newConnections: 1, openConnections: 4 })], next, carry)), 1);
  });

  it('divides by every target when none is healthy (ALB then routes to all)', () => {
    const data = elbMetricData(
      [traffic({ targetGroups: [group({ requests: 6, healthy: 0, unhealthy: 3 })] })],
      MINUTE,
      new Map(),
    );
    assert.equal(data.find((d) => key(d) === 'RequestCountPerTarget[TargetGroup]')!.Value, 2);
  });
});
