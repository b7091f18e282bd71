import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { commit, type ElbDeps } from './commit.ts';
import { ListenerPortInUseError, type DataPlaneConfig } from './data-plane-contract.ts';
import { StaticDataPlane } from './static-data-plane.ts';
import type { LoadBalancerState } from './state.ts';

class RefusingPlane extends StaticDataPlane {
  refuse = false;
  override async apply(config: DataPlaneConfig): Promise<void> {
    if (this.refuse) throw new ListenerPortInUseError(80);
    await super.apply(config);
  }
}

const lb = (arn: string): LoadBalancerState => ({
  arn,
  name: arn,
  createdAt: new Date(0),
  view: { LoadBalancerArn: arn },
  attributes: {},
  tags: [],
});

describe('commit', () => {
  let store: SqliteStore;
  let deps: ElbDeps;
  const plane = new RefusingPlane();
  before(async () => {
    store = await SqliteStore.open(':memory:');
    deps = { store, clock: new FakeClock(), dataPlane: plane, bindAddress: '127.0.0.1', writeLock: new KeyedMutex() };
  });
  after(() => store.close());

  it('shows the data plane the new state, then stores it', async () => {
    assert.equal(await commit(deps, () => ({ put: [lb('a')], result: 'done' })), 'done');
    assert.deepEqual(
      (await store.elb.list()).map((r) => r.arn),
      ['a'],
    );
  });

  it('writes nothing when the data plane refuses (a busy port → InvalidConfigurationRequest)', async () => {
    plane.refuse = true;
    await assert.rejects(
      commit(deps, () => ({ put: [lb('b')], result: undefined })),
      {
        code: 'InvalidConfigurationRequest',
        message: /Port 80 is already in use/,
      },
    );
    plane.refuse = false;
    assert.deepEqual(
      (await store.elb.list()).map((r) => r.arn),
      ['a'],
    );
  });

  it('puts the data plane back when the store refuses the write', async () => {
    const before = plane.config;
    // Two load balancers named alike break the unique (kind, name) index: the transaction fails.
    const twin = { ...lb('c'), name: 'a' };
    await assert.rejects(commit(deps, () => ({ put: [twin], result: undefined })));
    assert.deepEqual(plane.config, before);
    assert.deepEqual(
      (await store.elb.list()).map((r) => r.arn),
      ['a'],
    );
  });

  it('orders concurrent writes: each plans against the one before', async () => {
    const counts = await Promise.all(
      ['d', 'e', 'f'].map((arn) => commit(deps, (state) => ({ put: [lb(arn)], result: state.loadBalancers.size }))),
    );
    assert.deepEqual(counts, [1, 2, 3]);
  });
});

describe('StaticDataPlane', () => {
  it("reports targets 'unused' until a listener forwards to their group, then 'initial'", async () => {
    const plane = new StaticDataPlane();
    const group = {
      targetGroupArn: 'tg',
      port: 80,
      targetType: 'ip' as const,
      healthCheck: {
        enabled: true,
        path: '/',
        port: 'traffic-port' as const,
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThresholdCount: 5,
        unhealthyThresholdCount: 2,
        matcher: '200',
      },
      deregistrationDelaySeconds: 300,
      slowStartSeconds: 0,
      algorithm: 'round_robin' as const,
      targets: [{ id: '10.0.0.1', port: 80, address: '10.0.0.1' }],
    };
    await plane.apply({ listeners: [], targetGroups: [group] });
    assert.deepEqual(
      plane.targetHealth('tg').map((t) => [t.state, t.reason]),
      [['unused', 'Target.NotInUse']],
    );
    const rule = {
      ruleArn: 'r',
      priority: 'default' as const,
      conditions: [],
      action: { type: 'forward' as const, targetGroups: [{ targetGroupArn: 'tg', weight: 1 }] },
    };
    const listener = {
      listenerArn: 'l',
      loadBalancerArn: 'lb',
      port: 80,
      bindAddress: '127.0.0.1',
      rules: [rule],
      idleTimeoutSeconds: 60,
    };
    await plane.apply({ listeners: [listener], targetGroups: [group] });
    assert.deepEqual(
      plane.targetHealth('tg').map((t) => [t.state, t.reason]),
      [['initial', 'Elb.InitialHealthChecking']],
    );
    assert.deepEqual(plane.targetHealth('other'), []);
  });
});
