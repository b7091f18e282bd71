import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidParameterException } from './errors.ts';
import { mergedConfiguration, strategyConfiguration, trafficShiftProblem } from './deployment-strategy.ts';
import type { ForwardWeight, LoadBalancing } from './service-load-balancing.ts';
import type { DeploymentConfiguration } from './shapes.generated.ts';

const refuses = (config: DeploymentConfiguration, message: RegExp) =>
  assert.throws(
    () => strategyConfiguration(config, undefined),
    (error) => error instanceof InvalidParameterException && message.test(error.message),
  );

describe('strategyConfiguration', () => {
  it('keeps the strategy settings it accepts', () => {
    const linear = { strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 3.3, stepBakeTimeInMinutes: 0 } };
    assert.deepEqual(strategyConfiguration(linear, undefined), linear);
    assert.deepEqual(strategyConfiguration({}, undefined), { strategy: 'ROLLING' });
  });

  it('refuses what ECS refuses', () => {
    refuses({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 2.9 } }, /stepPercent .* 3\.0 to 100\.0/);
    refuses({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 10.05 } }, /multiple of 0\.1/);
    refuses({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0 } }, /canaryPercent/);
    refuses({ strategy: 'CANARY', canaryConfiguration: { canaryBakeTimeInMinutes: 1441 } }, /0 to 1440/);
    refuses({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: -1 }, /bakeTimeInMinutes/);
    refuses({ strategy: 'BLUE_GREEN', linearConfiguration: {} }, /only valid with the LINEAR/);
    refuses({ strategy: 'SIDEWAYS' as 'LINEAR' }, /strategy must be one of/);
    refuses({ strategy: 'BLUE_GREEN', lifecycleHooks: [{ hookTargetArn: 'arn' }] }, /lifecycle hooks/);
    assert.throws(
      () => strategyConfiguration({ strategy: 'CANARY' }, { type: 'CODE_DEPLOY' }),
      /ECS deployment controller/,
    );
  });

  it('drops the old strategy settings when UpdateService changes the strategy', () => {
    const stored = { strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 10 }, maximumPercent: 200 };
    assert.deepEqual(mergedConfiguration(stored, { strategy: 'BLUE_GREEN' }), {
      strategy: 'BLUE_GREEN',
      maximumPercent: 200,
    });
  });
});

describe('trafficShiftProblem', () => {
  const rules = new Map<string, ForwardWeight[]>([
    ['rule/ok', [{ targetGroupArn: 'tg/blue', weight: 1 }]],
    [
      'rule/both',
      [
        { targetGroupArn: 'tg/blue', weight: 100 },
        { targetGroupArn: 'tg/green', weight: 0 },
      ],
    ],
    ['rule/other', [{ targetGroupArn: 'tg/other', weight: 1 }]],
  ]);
  const balancing = {
    targetGroup: (arn: string) =>
      Promise.resolve(arn.startsWith('tg/') ? { targetType: 'ip', loadBalancerArns: ['lb'] } : undefined),
    forwardOf: (arn: string) => Promise.resolve(rules.get(arn)),
  } as unknown as LoadBalancing;
  const lb = (advanced?: object) => ({
    targetGroupArn: 'tg/blue',
    containerName: 'web',
    containerPort: 80,
    ...(advanced ? { advancedConfiguration: advanced } : {}),
  });
  const cases: [string, object | undefined, RegExp | undefined][] = [
    ['no advancedConfiguration', undefined, /advancedConfiguration .* is required/],
    [
      'the rule forwards to the primary',
      { alternateTargetGroupArn: 'tg/green', productionListenerRule: 'rule/ok' },
      undefined,
    ],
    [
      'the rule forwards to both',
      { alternateTargetGroupArn: 'tg/green', productionListenerRule: 'rule/both' },
      undefined,
    ],
    ['an unknown alternate', { alternateTargetGroupArn: 'nope', productionListenerRule: 'rule/ok' }, /does not exist/],
    [
      'the alternate is the primary',
      { alternateTargetGroupArn: 'tg/blue', productionListenerRule: 'rule/ok' },
      /must differ/,
    ],
    ['an unknown rule', { alternateTargetGroupArn: 'tg/green', productionListenerRule: 'rule/x' }, /does not exist/],
    [
      'a rule to another group',
      { alternateTargetGroupArn: 'tg/green', productionListenerRule: 'rule/other' },
      /must forward/,
    ],
  ];
  for (const [name, advanced, problem] of cases) {
    it(name, async () => {
      const found = await trafficShiftProblem(balancing, [lb(advanced)], undefined);
      if (problem) assert.match(found ?? '', problem);
      else assert.equal(found, undefined);
    });
  }
});
