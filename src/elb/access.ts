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

function withConditions(declare: Declare, conditionsOf: (input: Input) => Conditions): Declare {
  return (input, context) => {
    const conditions = conditionsOf(input);
    if (Object.keys(conditions).length === 0) return declare(input, context);
    return declare(input, context).map((request) => ({ ...request, conditions }));
  };
}

function onAccount(operation: string): Declare {
  return () => [{ action: `${PREFIX}:${operation}`, resource: '*' }];
}

type Conditions = Record<string, string | readonly string[]>;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Drops the keys whose value is undefined or an empty list. */
function defined(conditions: Record<string, string | readonly string[] | undefined>): Conditions {
  return Object.fromEntries(
    Object.entries(conditions).filter(
      (entry): entry is [string, string | readonly string[]] =>
        entry[1] !== undefined && !(Array.isArray(entry[1]) && entry[1].length === 0),
    ),
  );
}

/** aws:RequestTag/KEY and aws:TagKeys of the Tags a call sets. */
function requestTags(input: Input): Conditions {
  const tags = Array.isArray(input.Tags) ? (input.Tags as { Key?: unknown; Value?: unknown }[]) : [];
  const conditions: Conditions = {};
  const keys: string[] = [];
  for (const { Key, Value } of tags) {
    if (typeof Key !== 'string') continue;
    keys.push(Key);
    conditions[`aws:RequestTag/${Key}`] = text(Value) ?? '';
  }
  return keys.length === 0 ? {} : { ...conditions, 'aws:TagKeys': keys };
}

/**
 * A create's request, with its tags and `conditions`, and elasticloadbalancing:AddTags on the new
 * resource (elasticloadbalancing:CreateAction naming the create) when it sets tags, as ELB
 * authorizes tagging on creation.
 */
function creating(operation: string, resource: string, created: string, conditions: Conditions): Declare {
  return (input) => {
    const tags = requestTags(input);
    return [
      { action: `${PREFIX}:${operation}`, resource, conditions: { ...tags, ...conditions } },
      ...('aws:TagKeys' in tags
        ? [
            {
              action: `${PREFIX}:AddTags`,
              resource: created,
              conditions: { ...tags, [`${PREFIX}:CreateAction`]: operation },
            },
          ]
        : []),
    ];
  };
}

function created(operation: string, kind: string): Declare {
  return (input, context) => {
    const resource = formatArn(PREFIX, context, `${kind}/${text(input.Name) ?? '*'}/*`);
    const subnets = [
      ...strings(input.Subnets),
      ...(Array.isArray(input.SubnetMappings) ? (input.SubnetMappings as { SubnetId?: unknown }[]) : []).map((m) =>
        text(m.SubnetId),
      ),
    ].filter((id): id is string => id !== undefined);
    const conditions =
      operation === 'CreateLoadBalancer'
        ? defined({
            // Scheme defaults to internet-facing.
            [`${PREFIX}:Scheme`]: text(input.Scheme) ?? 'internet-facing',
            [`${PREFIX}:SecurityGroup`]: strings(input.SecurityGroups),
            [`${PREFIX}:Subnet`]: subnets,
          })
        : {};
    return creating(operation, resource, resource, conditions)(input, context);
  };
}

/** A listener's protocol and SSL policy (ListenerProtocol and SecurityPolicy are lists in the reference). */
function listenerConditions(input: Input): Conditions {
  return defined({
    [`${PREFIX}:ListenerProtocol`]: text(input.Protocol) === undefined ? undefined : [text(input.Protocol)!],
    [`${PREFIX}:SecurityPolicy`]: text(input.SslPolicy) === undefined ? undefined : [text(input.SslPolicy)!],
  });
}

/** The ARNs of the listeners of a load balancer, of the rules of a listener, before they exist. */
function childrenOf(parent: string | undefined, from: string, to: string): string {
  return parent === undefined ? '*' : `${parent.replace(`:${from}/`, `:${to}/`)}/*`;
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
  CreateListener: (input, context) => {
    const balancer = text(input.LoadBalancerArn);
    const listeners = childrenOf(balancer, 'loadbalancer', 'listener');
    return creating('CreateListener', balancer ?? '*', listeners, listenerConditions(input))(input, context);
  },
  DescribeListeners: onAccount('DescribeListeners'),
  ModifyListener: (input) => [
    {
      action: `${PREFIX}:ModifyListener`,
      resource: text(input.ListenerArn) ?? '*',
      conditions: listenerConditions(input),
    },
  ],
  DeleteListener: onMember('DeleteListener', 'ListenerArn'),
  AddListenerCertificates: onMember('AddListenerCertificates', 'ListenerArn'),
  RemoveListenerCertificates: onMember('RemoveListenerCertificates', 'ListenerArn'),
  DescribeListenerCertificates: onAccount('DescribeListenerCertificates'),
  DescribeSSLPolicies: onAccount('DescribeSSLPolicies'),
  CreateRule: (input, context) => {
    const listener = text(input.ListenerArn);
    return creating(
      'CreateRule',
      listener ?? '*',
      childrenOf(listener, 'listener', 'listener-rule'),
      {},
    )(input, context);
  },
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
  AddTags: withConditions(onMembers('AddTags', 'ResourceArns'), requestTags),
  RemoveTags: withConditions(onMembers('RemoveTags', 'ResourceArns'), (input) =>
    defined({ 'aws:TagKeys': strings(input.TagKeys) }),
  ),
  DescribeTags: onAccount('DescribeTags'),
};

/** The access declarations of the ELBv2 operations Berth implements, by operation name. */
export const elbAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
