import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerTraffic, TargetGroupTraffic } from './data-plane-contract.ts';
import { mergeTakes, sumProcesses } from './traffic-merge.ts';

const group = (requests: number, times: [number, number][], healthy: number): TargetGroupTraffic => ({
  targetGroupArn: 'tg',
  requests,
  target2xx: requests,
  target3xx: 0,
  target4xx: 0,
  target5xx: 0,
  responseTimes: { values: times.map(([v]) => v), counts: times.map(([, c]) => c) },
  healthy,
  unhealthy: 0,
});
const take = (requests: number, open: number, groups: TargetGroupTraffic[]): LoadBalancerTraffic => ({
  loadBalancerArn: 'lb',
  requests,
  elb4xx: 1,
  elb5xx: 0,
  fixedResponses: 0,
  newConnections: 2,
  rejectedConnections: 0,
  openConnections: open,
  targetGroups: groups,
});

describe('traffic merge', () => {
  it('merges successive takes of one lb: counts summed, distributions joined, levels from the later take', () => {
    const [merged] = mergeTakes(
      [
        take(3, 5, [
          group(
            3,
            [
              [0.01, 2],
              [0.02, 1],
            ],
            2,
          ),
        ]),
      ],
      [take(4, 1, [group(4, [[0.02, 3]], 1)])],
    );
    assert.equal(merged!.requests, 7);
    assert.equal(merged!.elb4xx, 2);
    assert.equal(merged!.newConnections, 4);
    assert.equal(merged!.openConnections, 1);
    const tg = merged!.targetGroups[0]!;
    assert.equal(tg.requests, 7);
    assert.equal(tg.healthy, 1);
    assert.deepEqual(tg.responseTimes, { values: [0.01, 0.02], counts: [2, 4] });
  });

  it('sums lb processes: open connections added, healthy counts the largest either saw', () => {
    const [sum] = sumProcesses([[take(3, 5, [group(3, [], 2)])], [take(4, 1, [group(4, [], 1)])]]);
    assert.equal(sum!.requests, 7);
    assert.equal(sum!.openConnections, 6);
    assert.equal(sum!.targetGroups[0]!.healthy, 2);
    assert.deepEqual(sumProcesses([]), []);
  });
});
