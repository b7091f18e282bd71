import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * What each ELBv2 operation asks the access control for (AWS's Service Authorization Reference for
 * Elastic Load Balancing V2): `elasticloadbalancing:<Operation>` on the load balancer, listener,
 * rule or target group ARN the input names, `*` for the Describe calls. Built from the input alone,
 * so a declaration never fails.
 */

type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

const PREFIX = 'elasticloadbalancing';

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function onMember(operation: string, member: string): Declare {
  return (input) => [{ action: `${PREFIX}:${operation}`, resource: text(input[member]) ?? '*' }];
}

function onMembers(operation: string, member: string): Declare {
  return (input) => {
    const arns = Array.isArray(input[member]) ? (input[member] as string[]) : [];
    return arns.length === 0
      ? [{ action: `${PREFIX}:${operation}`, resource: '*' }]
      : arns.map((resource) => ({ action: `${PREFIX}:${operation}`, resource }));
  };
}

function onAccount(operation: string): Declare {
  return () => [{ action: `${PREFIX}:${operation}`, resource: '*' }];
}

function created(operation: string, kind: string): Declare {
  return (input, context) => [
    {
      action: `${PREFIX}:${operation}`,
      resource: formatArn(PREFIX, context, `${kind}/${text(input.Name) ?? '*'}/*`),
      conditions: tagKeys(input),
    },
  ];
}

function tagKeys(input: Input): Record<string, readonly string[]> {
  const tags = Array.isArray(input.Tags) ? (input.Tags as { Key?: unknown }[]) : [];
  const keys = tags.map((t) => t.Key).filter((k): k is string => typeof k === 'string');
  return keys.length === 0 ? {} : { 'aws:TagKeys': keys };
}

const DECLARATIONS: Record<string, Declare> = {
  CreateLoadBalancer: created('CreateLoadBalancer', 'loadbalancer/app'),
  DescribeLoadBalancers: onAccount('DescribeLoadBalancers'),
  DeleteLoadBalancer: onMember('DeleteLoadBalancer', 'LoadBalancerArn'),
  DescribeLoadBalancerAttributes: onAccount('DescribeLoadBalancerAttributes'),
  ModifyLoadBalancerAttributes: onMember('ModifyLoadBalancerAttributes', 'LoadBalancerArn'),
  CreateTargetGroup: created('CreateTargetGroup', 'targetgroup'),
  DescribeTargetGroups: onAccount('DescribeTargetGroups'),
  ModifyTargetGroup: onMember('ModifyTargetGroup', 'TargetGroupArn'),
  DeleteTargetGroup: onMember('DeleteTargetGroup', 'TargetGroupArn'),
  DescribeTargetGroupAttributes: onAccount('DescribeTargetGroupAttributes'),
  ModifyTargetGroupAttributes: onMember('ModifyTargetGroupAttributes', 'TargetGroupArn'),
  CreateListener: onMember('CreateListener', 'LoadBalancerArn'),
  DescribeListeners: onAccount('DescribeListeners'),
  ModifyListener: onMember('ModifyListener', 'ListenerArn'),
  DeleteListener: onMember('DeleteListener', 'ListenerArn'),
  CreateRule: onMember('CreateRule', 'ListenerArn'),
  DescribeRules: onAccount('DescribeRules'),
  ModifyRule: onMember('ModifyRule', 'RuleArn'),
  DeleteRule: onMember('DeleteRule', 'RuleArn'),
  SetRulePriorities: (input) => {
    const rules = Array.isArray(input.RulePriorities) ? (input.RulePriorities as { RuleArn?: unknown }[]) : [];
    return rules.map((r) => ({ action: `${PREFIX}:SetRulePriorities`, resource: text(r.RuleArn) ?? '*' }));
  },
  RegisterTargets: onMember('RegisterTargets', 'TargetGroupArn'),
  DeregisterTargets: onMember('DeregisterTargets', 'TargetGroupArn'),
  DescribeTargetHealth: onAccount('DescribeTargetHealth'),
  AddTags: onMembers('AddTags', 'ResourceArns'),
  RemoveTags: onMembers('RemoveTags', 'ResourceArns'),
  DescribeTags: onAccount('DescribeTags'),
};

/** The access declarations of the ELBv2 operations Berth implements, by operation name. */
export const elbAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
