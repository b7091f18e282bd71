import {
  under,
  whereMember,
  type MemberRule,
  type MemberTable,
  type OperationMembers,
} from '../shared/member-classification.ts';

/*
 * What each ELBv2 operation does with each input member (shared/member-classification.ts): the
 * paths its code acts on, the members it refuses, and the members accepted with no effect by
 * design. src/aws-protocol/ refuses (with ELB's ValidationError); a test checks that every input
 * member is classified here. Paths use the model's names, as the query protocol's input does.
 */

const TAGS = ['Tags[].Key', 'Tags[].Value'];

const OTHER_ACTIONS: MemberRule = {
  refused: 'Berth runs forward, fixed-response and redirect actions only, so this configuration would do nothing',
};

/** A listener's default actions or a rule's actions: forward and fixed-response. */
function actions(prefix: string): { acted: string[]; rules: Record<string, MemberRule> } {
  return {
    acted: under(prefix, [
      'Type',
      'TargetGroupArn',
      'Order',
      'FixedResponseConfig.MessageBody',
      'FixedResponseConfig.StatusCode',
      'FixedResponseConfig.ContentType',
      'ForwardConfig.TargetGroups[].TargetGroupArn',
      'ForwardConfig.TargetGroups[].Weight',
      'RedirectConfig.Protocol',
      'RedirectConfig.Port',
      'RedirectConfig.Host',
      'RedirectConfig.Path',
      'RedirectConfig.Query',
      'RedirectConfig.StatusCode',
    ]),
    rules: {
      [`${prefix}.ForwardConfig.TargetGroupStickinessConfig`]: {
        refused: 'requests would not stick to one target group',
        when: whereMember('Enabled', (enabled) => enabled === true),
      },
      [`${prefix}.AuthenticateOidcConfig`]: OTHER_ACTIONS,
      [`${prefix}.AuthenticateCognitoConfig`]: OTHER_ACTIONS,
      [`${prefix}.JwtValidationConfig`]: OTHER_ACTIONS,
    },
  };
}

const TLS_LISTENER: Record<string, MemberRule> = {
  AlpnPolicy: { refused: "Berth's HTTPS listeners speak HTTP/1.1 only: no ALPN policy to negotiate HTTP/2" },
  MutualAuthentication: { refused: 'HTTPS listeners do not verify client certificates (no trust stores)' },
};

const CONDITIONS = under('Conditions[]', [
  'Field',
  'Values',
  'HostHeaderConfig.Values',
  'PathPatternConfig.Values',
  'HttpHeaderConfig.HttpHeaderName',
  'HttpHeaderConfig.Values',
  'QueryStringConfig.Values[].Key',
  'QueryStringConfig.Values[].Value',
  'HttpRequestMethodConfig.Values',
  'SourceIpConfig.Values',
  // These two are refused by the operation itself.
  'RegexValues',
  'HttpHeaderConfig.RegexValues',
]);

const CONDITION_RULES: Record<string, MemberRule> = {
  'Conditions[].HostHeaderConfig.RegexValues': { refused: 'the rule would match without its regular expressions' },
  'Conditions[].PathPatternConfig.RegexValues': { refused: 'the rule would match without its regular expressions' },
};

/** Refused by the operations: Berth does not support rule transforms yet. */
const TRANSFORMS = under('Transforms[]', [
  'Type',
  'HostHeaderRewriteConfig.Rewrites[].Regex',
  'HostHeaderRewriteConfig.Rewrites[].Replace',
  'UrlRewriteConfig.Rewrites[].Regex',
  'UrlRewriteConfig.Rewrites[].Replace',
]);

const TARGETS = ['Targets[].Id', 'Targets[].Port'];

const TARGET_RULES: Record<string, MemberRule> = {
  'Targets[].AvailabilityZone': { inert: 'no availability zones: the zone is only echoed' },
  'Targets[].QuicServerId': { inert: 'QUIC target groups are refused, so there is no QUIC server to name' },
};

const HEALTH_CHECK = [
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckEnabled',
  'HealthCheckPath',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
  'Matcher.HttpCode',
  // A gRPC matcher is refused by the operation: target groups speak HTTP/1.1.
  'Matcher.GrpcCode',
];

const listenerActions = actions('DefaultActions[]');
const ruleActions = actions('Actions[]');

export const elbMembers: MemberTable = {
  CreateLoadBalancer: {
    // Types other than application are refused by the operation.
    acted: ['Name', ...TAGS, 'Type'],
    rules: {
      Subnets: { inert: 'no VPCs: subnets are echoed, each in a zone of its own' },
      SubnetMappings: { inert: 'no VPCs: subnets are echoed, each in a zone of its own; no Elastic IPs' },
      SecurityGroups: { inert: 'no security groups: listeners take any connection the host lets through' },
      Scheme: { inert: "listeners listen on the server's --elb-bind-address, whatever the scheme" },
      IpAddressType: { inert: "listeners listen on the server's --elb-bind-address, whatever the address type" },
      CustomerOwnedIpv4Pool: { inert: 'no AWS Outposts: there is no customer-owned pool to take addresses from' },
      EnablePrefixForIpv6SourceNat: { inert: 'for Network Load Balancers, which Berth does not run' },
      IpamPools: { inert: "no VPC IPAM: listeners listen on the server's --elb-bind-address" },
    },
  },
  DescribeLoadBalancers: { acted: ['LoadBalancerArns', 'Names', 'Marker', 'PageSize'] },
  DeleteLoadBalancer: { acted: ['LoadBalancerArn'] },
  DescribeLoadBalancerAttributes: { acted: ['LoadBalancerArn'] },
  ModifyLoadBalancerAttributes: { acted: ['LoadBalancerArn', 'Attributes[].Key', 'Attributes[].Value'] },
  CreateTargetGroup: {
    acted: ['Name', 'Protocol', 'ProtocolVersion', 'Port', ...HEALTH_CHECK, 'TargetType', ...TAGS, 'IpAddressType'],
    rules: {
      VpcId: { inert: 'no VPCs: targets are reached wherever the server can reach them, and the id is echoed' },
      TargetControlPort: { refused: "nothing would talk to the targets' control agents (target optimizer)" },
    },
  },
  DescribeTargetGroups: { acted: ['LoadBalancerArn', 'TargetGroupArns', 'Names', 'Marker', 'PageSize'] },
  ModifyTargetGroup: { acted: ['TargetGroupArn', ...HEALTH_CHECK] },
  DeleteTargetGroup: { acted: ['TargetGroupArn'] },
  DescribeTargetGroupAttributes: { acted: ['TargetGroupArn'] },
  ModifyTargetGroupAttributes: { acted: ['TargetGroupArn', 'Attributes[].Key', 'Attributes[].Value'] },
  CreateListener: {
    // Protocols other than HTTP and HTTPS are refused by the operation.
    acted: [
      'LoadBalancerArn',
      'Protocol',
      'Port',
      'SslPolicy',
      'Certificates[].CertificateArn',
      'Certificates[].IsDefault',
      ...listenerActions.acted,
      ...TAGS,
    ],
    rules: { ...listenerActions.rules, ...TLS_LISTENER },
  },
  DescribeListeners: { acted: ['LoadBalancerArn', 'ListenerArns', 'Marker', 'PageSize'] },
  ModifyListener: {
    acted: [
      'ListenerArn',
      'Port',
      'Protocol',
      'SslPolicy',
      'Certificates[].CertificateArn',
      'Certificates[].IsDefault',
      ...listenerActions.acted,
    ],
    rules: { ...listenerActions.rules, ...TLS_LISTENER },
  },
  DeleteListener: { acted: ['ListenerArn'] },
  AddListenerCertificates: { acted: ['ListenerArn', 'Certificates[].CertificateArn', 'Certificates[].IsDefault'] },
  RemoveListenerCertificates: { acted: ['ListenerArn', 'Certificates[].CertificateArn', 'Certificates[].IsDefault'] },
  DescribeListenerCertificates: { acted: ['ListenerArn', 'Marker', 'PageSize'] },
  DescribeSSLPolicies: { acted: ['Names', 'Marker', 'PageSize', 'LoadBalancerType'] },
  CreateRule: {
    acted: ['ListenerArn', ...CONDITIONS, 'Priority', ...ruleActions.acted, ...TAGS, ...TRANSFORMS],
    rules: { ...CONDITION_RULES, ...ruleActions.rules },
  },
  DescribeRules: { acted: ['ListenerArn', 'RuleArns', 'Marker', 'PageSize'] },
  ModifyRule: {
    acted: ['RuleArn', ...CONDITIONS, ...ruleActions.acted, ...TRANSFORMS],
    rules: {
      ...CONDITION_RULES,
      ...ruleActions.rules,
      ResetTransforms: { inert: 'rules never have transforms in Berth, so there are none to reset' },
    },
  },
  DeleteRule: { acted: ['RuleArn'] },
  SetRulePriorities: { acted: ['RulePriorities[].RuleArn', 'RulePriorities[].Priority'] },
  RegisterTargets: { acted: ['TargetGroupArn', ...TARGETS], rules: TARGET_RULES },
  DeregisterTargets: { acted: ['TargetGroupArn', ...TARGETS], rules: TARGET_RULES },
  DescribeTargetHealth: {
    acted: ['TargetGroupArn', ...TARGETS],
    rules: {
      ...TARGET_RULES,
      Include: { inert: 'no anomaly detection: health descriptions never carry it' },
    },
  },
  AddTags: { acted: ['ResourceArns', ...TAGS] },
  RemoveTags: { acted: ['ResourceArns', 'TagKeys'] },
  DescribeTags: { acted: ['ResourceArns'] },
} satisfies Record<string, OperationMembers>;
