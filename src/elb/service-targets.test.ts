import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { KeyedMutex } from '../shared/keyed-mutex.ts';
import { rootPrincipal } from '../shared/principal.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ElbDeps } from './commit.ts';
import { createListener, describeListeners } from './listeners.ts';
import { createLoadBalancer } from './load-balancers.ts';
import { createRule, describeRules } from './rules.ts';
import { Elb } from './service-targets.ts';
import { StaticDataPlane } from './static-data-plane.ts';
import { createTargetGroup } from './target-groups.ts';

const context = {
  requestId: 'test',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: '',
  principal: rootPrincipal('000000000000'),
};

describe('Elb forward weights (ECS blue/green)', () => {
  let store: SqliteStore;
  let deps: ElbDeps;
  let elb: Elb;
  let blue: string;
  let green: string;
  let listener: string;
  let rule: string;
  before(async () => {
    store = await SqliteStore.open(':memory:');
    deps = {
      store,
      clock: new FakeClock(),
      dataPlane: new StaticDataPlane(),
      bindAddress: '127.0.0.1',
      writeLock: new KeyedMutex(),
    };
    elb = new Elb(deps);
    const { LoadBalancers } = await createLoadBalancer(deps, { Name: 'lb', Subnets: ['subnet-1'] }, context);
    const group = async (name: string) =>
      (
        await createTargetGroup(
          deps,
          { Name: name, Protocol: 'HTTP', Port: 80, VpcId: LoadBalancers![0]!.VpcId, TargetType: 'ip' },
          context,
        )
      ).TargetGroups![0]!.TargetGroupArn!;
    blue = await group('blue');
    green = await group('green');
    const { Listeners } = await createListener(deps, {
      LoadBalancerArn: LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 8000,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: blue }],
    });
    listener = Listeners![0]!.ListenerArn!;
    const { Rules } = await createRule(deps, {
      ListenerArn: listener,
      Priority: 5,
      Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
      Actions: [{ Type: 'forward', TargetGroupArn: blue }],
    });
    rule = Rules![0]!.RuleArn!;
  });
  after(() => store.close());

  it('reads a rule’s forward, and a listener ARN as its default rule', async () => {
    assert.deepEqual(await elb.forwardOf(rule), [{ targetGroupArn: blue, weight: 1 }]);
    assert.deepEqual(await elb.forwardOf(listener), [{ targetGroupArn: blue, weight: 1 }]);
    assert.equal(await elb.forwardOf(`${rule}-gone`), undefined);
  });

  it('rewrites the weights as ModifyRule does: DescribeRules and the listener show them', async () => {
    const weights = [
      { targetGroupArn: blue, weight: 90 },
      { targetGroupArn: green, weight: 10 },
    ];
    await elb.setForward(rule, weights);
    const { Rules } = await describeRules(deps, { RuleArns: [rule] });
    assert.deepEqual(
      Rules![0]!.Actions![0]!.ForwardConfig!.TargetGroups,
      weights.map((w) => ({ TargetGroupArn: w.targetGroupArn, Weight: w.weight })),
    );
    await elb.setForward(listener, weights);
    const { Listeners } = await describeListeners(deps, { ListenerArns: [listener] });
    assert.deepEqual(await elb.forwardOf(listener), weights);
    assert.equal(Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups!.length, 2);
  });
});
