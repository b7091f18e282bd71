import type { LoadBalancerTraffic, TargetGroupTraffic } from './data-plane-contract.ts';

type Distribution = TargetGroupTraffic['responseTimes'];

function mergeDistributions(a: Distribution, b: Distribution): Distribution {
  const counts = new Map<number, number>();
  for (const d of [a, b])
    d.values.forEach((value, i) => counts.set(value, (counts.get(value) ?? 0) + (d.counts[i] ?? 0)));
  return { values: [...counts.keys()], counts: [...counts.values()] };
}

function mergeGroup(earlier: TargetGroupTraffic, later: TargetGroupTraffic): TargetGroupTraffic {
  return {
    targetGroupArn: later.targetGroupArn,
    requests: earlier.requests + later.requests,
    target2xx: earlier.target2xx + later.target2xx,
    target3xx: earlier.target3xx + later.target3xx,
    target4xx: earlier.target4xx + later.target4xx,
    target5xx: earlier.target5xx + later.target5xx,
    responseTimes: mergeDistributions(earlier.responseTimes, later.responseTimes),
    healthy: later.healthy,
    unhealthy: later.unhealthy,
  };
}

function mergeLoadBalancer(earlier: LoadBalancerTraffic, later: LoadBalancerTraffic): LoadBalancerTraffic {
  const groups = new Map(earlier.targetGroups.map((g) => [g.targetGroupArn, g]));
  for (const group of later.targetGroups) {
    const before = groups.get(group.targetGroupArn);
    groups.set(group.targetGroupArn, before ? mergeGroup(before, group) : group);
  }
  return {
    loadBalancerArn: later.loadBalancerArn,
    requests: earlier.requests + later.requests,
    elb4xx: earlier.elb4xx + later.elb4xx,
    elb5xx: earlier.elb5xx + later.elb5xx,
    fixedResponses: earlier.fixedResponses + later.fixedResponses,
    newConnections: earlier.newConnections + later.newConnections,
    rejectedConnections: earlier.rejectedConnections + later.rejectedConnections,
    openConnections: later.openConnections,
    targetGroups: [...groups.values()],
  };
}

/**
 * Successive takes of one data plane's counters as one: counts summed, response-time
 * distributions joined, and what is a level at the take (open connections, healthy and unhealthy
 * targets) from the later take. Pure.
 */
export function mergeTakes(earlier: readonly LoadBalancerTraffic[], later: readonly LoadBalancerTraffic[]) {
  const byArn = new Map(earlier.map((lb) => [lb.loadBalancerArn, lb]));
  for (const lb of later) {
    const before = byArn.get(lb.loadBalancerArn);
    byArn.set(lb.loadBalancerArn, before ? mergeLoadBalancer(before, lb) : lb);
  }
  return [...byArn.values()];
}

/**
 * Several data planes' traffic (one `berth lb` each) over the same period as one: everything
 * summed, open connections too (each process holds its own); healthy and unhealthy counts are the
 * largest any of them saw (they check the same targets). Pure.
 */
export function sumProcesses(planes: readonly (readonly LoadBalancerTraffic[])[]): LoadBalancerTraffic[] {
  let total: LoadBalancerTraffic[] = [];
  for (const traffic of planes) {
    const byArn = new Map(total.map((lb) => [lb.loadBalancerArn, lb]));
    for (const lb of traffic) {
      const before = byArn.get(lb.loadBalancerArn);
      if (!before) {
        byArn.set(lb.loadBalancerArn, lb);
        continue;
      }
      const merged = mergeLoadBalancer(before, lb);
      byArn.set(lb.loadBalancerArn, {
        ...merged,
        openConnections: before.openConnections + lb.openConnections,
        targetGroups: merged.targetGroups.map((group) => {
          const a = before.targetGroups.find((g) => g.targetGroupArn === group.targetGroupArn);
          const b = lb.targetGroups.find((g) => g.targetGroupArn === group.targetGroupArn);
          return {
            ...group,
            healthy: Math.max(a?.healthy ?? 0, b?.healthy ?? 0),
            unhealthy: Math.max(a?.unhealthy ?? 0, b?.unhealthy ?? 0),
          };
        }),
      });
    }
    total = [...byArn.values()];
  }
  return total;
}
