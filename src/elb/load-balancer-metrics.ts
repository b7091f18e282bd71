import type { PublishedDatum } from '../shared/metric-publisher.ts';
import type { LoadBalancerTraffic, TargetGroupTraffic } from './data-plane-contract.ts';

/** CloudWatch's LoadBalancer dimension: `app/<name>/<id>`, the ARN after `loadbalancer/`. */
export function loadBalancerDimension(loadBalancerArn: string): string {
  return loadBalancerArn.slice(loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}

/** CloudWatch's TargetGroup dimension: `targetgroup/<name>/<id>`, the ARN's resource. */
export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.lastIndexOf(':') + 1);
}

/** Per load balancer: its client connections open at its last take, and that take's minute. */
export type ConnectionCarry = Map<string, { readonly minute: number; readonly open: number }>;

type Dimensions = PublishedDatum['Dimensions'];

function counts(dimensions: Dimensions, minute: number, values: Readonly<Record<string, number>>): PublishedDatum[] {
  // As ALB: a count is reported for a period only when it is not zero.
  return Object.entries(values)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => ({
      MetricName: name,
      Dimensions: dimensions,
      Unit: 'Count',
      Timestamp: new Date(minute),
      Value: value,
    }));
}

function responseTimes(
  dimensions: Dimensions,
  minute: number,
  groups: readonly TargetGroupTraffic[],
): PublishedDatum[] {
  const values = groups.flatMap((g) => g.responseTimes.values);
  if (values.length === 0) return [];
  const counts = groups.flatMap((g) => g.responseTimes.counts);
  return [
    {
      MetricName: 'TargetResponseTime',
      Dimensions: dimensions,
      Unit: 'Seconds',
      Timestamp: new Date(minute),
      Values: values,
      Counts: counts,
    },
  ];
}

function targetCodes(groups: readonly TargetGroupTraffic[]): Record<string, number> {
  const sum = (pick: (g: TargetGroupTraffic) => number) => groups.reduce((total, g) => total + pick(g), 0);
  return {
    HTTPCode_Target_2XX_Count: sum((g) => g.target2xx),
    HTTPCode_Target_3XX_Count: sum((g) => g.target3xx),
    HTTPCode_Target_4XX_Count: sum((g) => g.target4xx),
    HTTPCode_Target_5XX_Count: sum((g) => g.target5xx),
  };
}

function groupMetrics(loadBalancer: string, group: TargetGroupTraffic, minute: number): PublishedDatum[] {
  const targetGroup = targetGroupDimension(group.targetGroupArn);
  const both = [
    { Name: 'LoadBalancer', Value: loadBalancer },
    { Name: 'TargetGroup', Value: targetGroup },
  ];
  // ALB divides by the healthy targets; with none healthy it routes to all, and so divides by them.
  const targets = group.healthy || group.healthy + group.unhealthy;
  const perTarget: Record<string, number> = targets > 0 ? { RequestCountPerTarget: group.requests / targets } : {};
  const health = (name: string, value: number): PublishedDatum => ({
    MetricName: name,
    Dimensions: both,
    Unit: 'Count',
    Timestamp: new Date(minute),
    Value: value,
  });
  return [
    ...counts(both, minute, { RequestCount: group.requests, ...targetCodes([group]), ...perTarget }),
    ...counts([{ Name: 'TargetGroup', Value: targetGroup }], minute, perTarget),
    ...responseTimes(both, minute, [group]),
    // Reported whether or not requests flow, as ALB does.
    health('HealthyHostCount', group.healthy),
    health('UnHealthyHostCount', group.unhealthy),
  ];
}

/**
 * The AWS/ApplicationELB datapoints of one take of the proxy's counters, in `minute`: per
 * LoadBalancer, and per TargetGroup with its LoadBalancer, with ALB's names and units.
 * ActiveConnectionCount counts client connections open during the minute: those open when it
 * began (carried from the previous minute's last take) and those opened since. Pure but for
 * `carry`, which it updates.
 */
export function elbMetricData(
  traffic: readonly LoadBalancerTraffic[],
  minute: number,
  carry: ConnectionCarry,
): PublishedDatum[] {
  return traffic.flatMap((lb) => {
    const loadBalancer = loadBalancerDimension(lb.loadBalancerArn);
    const dimensions = [{ Name: 'LoadBalancer', Value: loadBalancer }];
    const previous = carry.get(lb.loadBalancerArn);
    const openAtStart = previous !== undefined && previous.minute !== minute ? previous.open : 0;
    carry.set(lb.loadBalancerArn, { minute, open: Math.max(0, lb.openConnections) });
    return [
      ...counts(dimensions, minute, {
        RequestCount: lb.requests,
        HTTPCode_ELB_4XX_Count: lb.elb4xx,
        HTTPCode_ELB_5XX_Count: lb.elb5xx,
        HTTP_Fixed_Response_Count: lb.fixedResponses,
        ...targetCodes(lb.targetGroups),
        ActiveConnectionCount: openAtStart + lb.newConnections,
        NewConnectionCount: lb.newConnections,
        RejectedConnectionCount: lb.rejectedConnections,
      }),
      ...responseTimes(dimensions, minute, lb.targetGroups),
      ...lb.targetGroups.flatMap((group) => groupMetrics(loadBalancer, group, minute)),
    ];
  });
}
