import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenerPortInUseError, type DataPlaneConfig, type LoadBalancerTraffic } from './data-plane-contract.ts';
import { configHash, LB_PROTOCOL, type LbPollAnswer } from './lb-protocol.ts';
import { LbChannelClosedError, RemoteDataPlane } from './remote-data-plane.ts';

const group = (targets: string[]): DataPlaneConfig['targetGroups'][number] => ({
  targetGroupArn: 'tg',
  port: 80,
  targetType: 'ip',
  healthCheck: {
    enabled: true,
    path: '/',
    port: 'traffic-port',
    intervalSeconds: 5,
    timeoutSeconds: 2,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
    matcher: '200',
  },
  deregistrationDelaySeconds: 5,
  slowStartSeconds: 0,
  algorithm: 'round_robin',
  targets: targets.map((id) => ({ id, port: 80, address: id })),
});
const config = (port: number, targets: string[] = ['10.0.0.1']): DataPlaneConfig => ({
  listeners: [
    {
      listenerArn: `l${port}`,
      loadBalancerArn: 'lb',
      port,
      bindAddress: '127.0.0.1',
      idleTimeoutSeconds: 60,
      rules: [
        {
          ruleArn: 'r',
          priority: 'default',
          conditions: [],
          action: { type: 'forward', targetGroups: [{ targetGroupArn: 'tg', weight: 1 }] },
        },
      ],
    },
  ],
  targetGroups: [group(targets)],
});
const base = { protocol: LB_PROTOCOL, lbId: 'lb-1', label: 'test lb' };
const traffic = (requests: number, open: number): LoadBalancerTraffic => ({
  loadBalancerArn: 'lb',
  requests,
  elb4xx: 0,
  elb5xx: 0,
  fixedResponses: 0,
  newConnections: 1,
  rejectedConnections: 0,
  openConnections: open,
  targetGroups: [],
});

/** A fake lb: polls, then reports what came of it (`error` set: it could not bind that port). */
async function answer(plane: RemoteDataPlane, have: string | undefined, portInUse?: number): Promise<LbPollAnswer> {
  const polled = await plane.poll({ ...base, ...(have ? { have } : {}), waitSeconds: 5 });
  assert.ok(polled.config, 'the poll carried a configuration');
  const { instance, seq, hash } = polled;
  const error = portInUse === undefined ? undefined : { message: 'in use', portInUse };
  plane.report({
    ...base,
    ...(error ? (have ? { running: have } : {}) : { running: hash }),
    result: { instance, seq, hash, ...(error ? { error } : {}) },
    health: error ? {} : { tg: [{ id: '10.0.0.1', port: 80, state: 'healthy' }] },
    traffic: [],
  });
  return polled;
}

describe('RemoteDataPlane: the data plane in berth lb processes, as the server sees it', () => {
  it('applies at once while no lb is connected, and reports health from the configuration', async () => {
    const plane = new RemoteDataPlane();
    await plane.apply(config(8000));
    assert.equal(plane.targetHealth('tg')[0]!.state, 'initial');
  });

  it('waits for a connected lb to apply, then reads health from its reports', async () => {
    const plane = new RemoteDataPlane({ applyTimeoutMs: 10_000 });
    const first = await answer(plane, undefined);
    assert.equal(first.hash, configHash({ listeners: [], targetGroups: [] }));
    const applying = plane.apply(config(8000));
    const polled = await answer(plane, first.hash);
    await applying;
    assert.equal(polled.hash, configHash(config(8000)));
    assert.deepEqual(plane.targetHealth('tg'), [{ id: '10.0.0.1', port: 80, state: 'healthy' }]);
    // The same configuration again: nothing to wait for.
    await plane.apply(config(8000));
  });

  it('rejects with ListenerPortInUseError when the lb cannot bind, and goes back to the previous configuration', async () => {
    const plane = new RemoteDataPlane({ applyTimeoutMs: 10_000 });
    const first = await answer(plane, undefined);
    const applying = plane.apply(config(8000));
    await answer(plane, first.hash, 8000);
    await assert.rejects(applying, (error) => error instanceof ListenerPortInUseError && error.port === 8000);
    // The lb keeps what it has: its next poll carries nothing new.
    const next = await plane.poll({ ...base, have: first.hash, waitSeconds: 0 });
    assert.equal(next.config, undefined);
    assert.equal(next.hash, first.hash);
    // Tried again (the port may be free now), the lb is asked again.
    const retry = plane.apply(config(8000));
    await answer(plane, first.hash);
    await retry;
  });

  it('goes on without an lb that does not answer in time', async () => {
    const plane = new RemoteDataPlane({ applyTimeoutMs: 50 });
    await plane.poll({ ...base, waitSeconds: 0 }); // connected, then silent
    await plane.apply(config(8000));
  });

  it('waits for a first lb once one is expected', async () => {
    const plane = new RemoteDataPlane({ applyTimeoutMs: 10_000, firstConnectMs: 10_000 });
    plane.expect();
    let done = false;
    const applying = plane.apply(config(8000)).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(done, false);
    await answer(plane, undefined);
    await applying;
  });

  it('sums the traffic the lbs reported and resets it', () => {
    const plane = new RemoteDataPlane();
    plane.report({ ...base, health: {}, traffic: [traffic(2, 1)] });
    plane.report({ ...base, health: {}, traffic: [traffic(3, 4)] });
    plane.report({ ...base, lbId: 'lb-2', health: {}, traffic: [traffic(5, 2)] });
    const [taken] = plane.takeTraffic();
    assert.equal(taken!.requests, 10);
    assert.equal(taken!.newConnections, 3);
    assert.equal(taken!.openConnections, 6, 'the later take of each lb, summed across lbs');
    assert.deepEqual(plane.takeTraffic(), []);
  });

  it('answers held polls at release and refuses new ones', async () => {
    const plane = new RemoteDataPlane();
    const held = plane.poll({ ...base, have: configHash({ listeners: [], targetGroups: [] }), waitSeconds: 20 });
    plane.release();
    assert.equal((await held).config, undefined);
    await assert.rejects(plane.poll({ ...base, waitSeconds: 0 }), LbChannelClosedError);
  });
});
