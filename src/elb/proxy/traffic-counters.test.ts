import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import {
  aListener,
  aTargetGroup,
  eventually,
  forwardRule,
  freePort,
  get,
  startTarget,
  type TestTarget,
} from '../../../testing/elb-proxy.ts';
import type { DataPlane } from '../data-plane-contract.ts';
import { createProxyDataPlane } from './proxy-data-plane.ts';
import { bucketSeconds, responseTimeBucket } from './traffic-counters.ts';

describe('response time buckets', () => {
  for (const seconds of [0.000_2, 0.003, 0.25, 1, 7.5, 60]) {
    test(`${seconds} s is counted within 1% of itself`, () => {
      const counted = bucketSeconds(responseTimeBucket(seconds));
      assert.ok(Math.abs(counted - seconds) / seconds <= 0.01, `${seconds} → ${counted}`);
    });
  }
  test('below a microsecond counts as one', () => {
    assert.equal(responseTimeBucket(0), responseTimeBucket(1e-6));
  });
});

describe('the proxy counts traffic per load balancer and target group', () => {
  let plane: DataPlane;
  let ok: TestTarget;
  let failing: TestTarget;
  before(async () => {
    ok = await startTarget('ok');
    failing = await startTarget('failing', (req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 500).end();
    });
  });
  after(async () => {
    await ok.close();
    await failing.close();
    await plane?.close();
  });

  test('requests, target and ELB codes, response times, health, connections; a take resets them', async () => {
    plane = createProxyDataPlane();
    const [port, otherPort] = await Promise.all([freePort(), freePort()]);
    const fixed = {
      ruleArn: 'rule/1',
      priority: 1,
      conditions: [{ field: 'path-pattern' as const, values: ['/fixed'] }],
      action: { type: 'fixed-response' as const, statusCode: 418 },
    };
    await plane.apply({
      listeners: [
        aListener(port, [fixed, forwardRule({ ok: 1 })]),
        aListener(otherPort, [forwardRule({ failing: 1 })]),
      ],
      targetGroups: [aTargetGroup('ok', [ok]), aTargetGroup('failing', [failing])],
    });
    const healthy = () => plane.targetHealth('ok')[0]?.state === 'healthy';
    await eventually(healthy, 'the ok target healthy');
    plane.takeTraffic!(); // what the health wait counted (nothing: checks are not traffic)

    for (let i = 0; i < 3; i++) assert.equal((await get(port)).status, 200);
    assert.equal((await get(port, '/fixed')).status, 418);
    assert.equal((await get(otherPort, '/missing')).status, 404);
    assert.equal((await get(otherPort)).status, 500);
    // A malformed request: the load balancer's own 400.
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.end('GET / HTTP/1.1\nHost: x\n\n');
    socket.resume();
    await once(socket, 'close');

    const [lb] = plane.takeTraffic!();
    assert.equal(lb!.loadBalancerArn, 'loadbalancer/app/test');
    // 3 to ok + 2 to failing; the fixed response and the 400 chose no target
    assert.equal(lb!.requests, 5);
    assert.equal(lb!.fixedResponses, 1);
    assert.equal(lb!.elb4xx, 2); // the fixed 418 and the 400
    assert.equal(lb!.elb5xx, 0);
    assert.ok(lb!.newConnections >= 3, `new connections ${lb!.newConnections}`);
    const groups = new Map(lb!.targetGroups.map((g) => [g.targetGroupArn, g]));
    const okGroup = groups.get('ok')!;
    assert.deepEqual([okGroup.requests, okGroup.target2xx, okGroup.healthy, okGroup.unhealthy], [3, 3, 1, 0]);
    assert.equal(
      okGroup.responseTimes.counts.reduce((a, b) => a + b, 0),
      3,
    );
    assert.ok(okGroup.responseTimes.values.every((seconds) => seconds > 0 && seconds < 5));
    const failingGroup = groups.get('failing')!;
    assert.deepEqual([failingGroup.requests, failingGroup.target4xx, failingGroup.target5xx], [2, 1, 1]);

    const [again] = plane.takeTraffic!();
    assert.equal(again!.requests, 0);
    assert.deepEqual(
      again!.targetGroups.map((g) => [g.targetGroupArn, g.requests, g.healthy]),
      [
        ['ok', 0, 1],
        ['failing', 0, 1],
      ],
    );
  });

  test('a 503 for a group with no targets and a 502 for a dead one are the load balancer’s own', async () => {
    await plane?.close();
    plane = createProxyDataPlane();
    const [emptyPort, deadPort, nothing] = await Promise.all([freePort(), freePort(), freePort()]);
    const noCheck = { healthCheck: { ...aTargetGroup('x', []).healthCheck, enabled: false } };
    await plane.apply({
      listeners: [aListener(emptyPort, [forwardRule({ empty: 1 })]), aListener(deadPort, [forwardRule({ dead: 1 })])],
      targetGroups: [aTargetGroup('empty', []), aTargetGroup('dead', [{ port: nothing }], noCheck)],
    });
    assert.equal((await get(emptyPort)).status, 503);
    assert.equal((await get(deadPort)).status, 502);
    const [lb] = plane.takeTraffic!();
    assert.equal(lb!.elb5xx, 2);
    assert.equal(lb!.requests, 1); // the 502's target was chosen, the 503's was not
    assert.equal(lb!.targetGroups.find((g) => g.targetGroupArn === 'dead')!.requests, 1);
  });
});
