import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkLoadBalancerName,
  checkTargetGroupName,
  dnsName,
  kindOfArn,
  listenerArn,
  loadBalancerArn,
  ruleArn,
  targetGroupArn,
} from './names.ts';

const scope = { region: 'us-east-1', accountId: '123456789012' };

describe('load balancer and target group names', () => {
  const cases: [string, boolean][] = [
    ['web', true],
    ['a', true],
    ['my-app-1', true],
    ['A'.repeat(32), true],
    ['A'.repeat(33), false], // 33 > 32
    ['-web', false],
    ['web-', false],
    ['web_app', false],
    ['web.app', false],
    ['', false],
  ];
  for (const [name, valid] of cases) {
    it(`${valid ? 'accepts' : 'refuses'} '${name.slice(0, 12)}' (${name.length} chars)`, () => {
      for (const check of [checkLoadBalancerName, checkTargetGroupName]) {
        if (valid) check(name);
        else assert.throws(() => check(name), { code: 'ValidationError' });
      }
    });
  }

  it("refuses load balancer names beginning with 'internal-' (target groups may)", () => {
    assert.throws(() => checkLoadBalancerName('internal-web'), /cannot begin with 'internal-'/);
    checkTargetGroupName('internal-web');
  });
});

describe('ARNs', () => {
  const lb = loadBalancerArn(scope, 'web');
  const listener = listenerArn(lb);
  const rule = ruleArn(listener);
  const tg = targetGroupArn(scope, 'api');

  it('forms them as ELBv2 does', () => {
    assert.match(lb, /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    assert.match(tg, /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/api\/[0-9a-f]{16}$/);
    const lbId = lb.split('/').at(-1);
    assert.match(listener, new RegExp(`:listener/app/web/${lbId}/[0-9a-f]{16}$`));
    const listenerId = listener.split('/').at(-1);
    assert.match(rule, new RegExp(`:listener-rule/app/web/${lbId}/${listenerId}/[0-9a-f]{16}$`));
  });

  it('tells which kind of resource an ARN names', () => {
    assert.equal(kindOfArn(lb), 'load-balancer');
    assert.equal(kindOfArn(tg), 'target-group');
    assert.equal(kindOfArn(listener), 'listener');
    assert.equal(kindOfArn(rule), 'rule');
    assert.equal(kindOfArn('arn:aws:ecs:us-east-1:123456789012:cluster/default'), undefined);
    assert.equal(kindOfArn('not an arn'), undefined);
  });

  it('gives DNS names of <name>-<10 digits>.<region>.elb.localhost', () => {
    assert.match(dnsName('web', 'eu-west-1', false), /^web-[1-9]\d{9}\.eu-west-1\.elb\.localhost$/);
    assert.match(dnsName('web', 'eu-west-1', true), /^internal-web-\d{10}\./);
  });
});
