import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessRequest } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { elbAccess } from './access.ts';

const context = { region: 'us-east-1', accountId: '000000000000' } as RequestContext;
const elb = 'arn:aws:elasticloadbalancing:us-east-1:000000000000';
const lb = `${elb}:loadbalancer/app/web/50dc6c495c0c9188`;

const CASES: readonly { operation: string; input: Record<string, unknown>; expected: AccessRequest[] }[] = [
  {
    operation: 'CreateLoadBalancer',
    input: { Name: 'web', Subnets: ['subnet-1'], SecurityGroups: ['sg-1'], Tags: [{ Key: 'env', Value: 'prod' }] },
    expected: [
      {
        action: 'elasticloadbalancing:CreateLoadBalancer',
        resource: `${elb}:loadbalancer/app/web/*`,
        conditions: {
          'aws:RequestTag/env': 'prod',
          'aws:TagKeys': ['env'],
          'elasticloadbalancing:Scheme': 'internet-facing',
          'elasticloadbalancing:SecurityGroup': ['sg-1'],
          'elasticloadbalancing:Subnet': ['subnet-1'],
        },
      },
      {
        action: 'elasticloadbalancing:AddTags',
        resource: `${elb}:loadbalancer/app/web/*`,
        conditions: {
          'aws:RequestTag/env': 'prod',
          'aws:TagKeys': ['env'],
          'elasticloadbalancing:CreateAction': 'CreateLoadBalancer',
        },
      },
    ],
  },
  {
    operation: 'CreateListener',
    input: { LoadBalancerArn: lb, Protocol: 'HTTP', Port: 80 },
    expected: [
      {
        action: 'elasticloadbalancing:CreateListener',
        resource: lb,
        conditions: { 'elasticloadbalancing:ListenerProtocol': ['HTTP'] },
      },
    ],
  },
  {
    operation: 'CreateRule',
    input: { ListenerArn: `${elb}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`, Tags: [{ Key: 'a' }] },
    expected: [
      {
        action: 'elasticloadbalancing:CreateRule',
        resource: `${elb}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`,
        conditions: { 'aws:RequestTag/a': '', 'aws:TagKeys': ['a'] },
      },
      {
        action: 'elasticloadbalancing:AddTags',
        resource: `${elb}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/*`,
        conditions: { 'aws:RequestTag/a': '', 'aws:TagKeys': ['a'], 'elasticloadbalancing:CreateAction': 'CreateRule' },
      },
    ],
  },
  {
    operation: 'RemoveTags',
    input: { ResourceArns: [lb], TagKeys: ['env'] },
    expected: [{ action: 'elasticloadbalancing:RemoveTags', resource: lb, conditions: { 'aws:TagKeys': ['env'] } }],
  },
];

for (const { operation, input, expected } of CASES) {
  test(`ELBv2 access: ${operation}`, () => {
    assert.deepEqual(elbAccess[operation]!(input as never, context), expected);
  });
}
