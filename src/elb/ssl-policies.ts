import { SSLPolicyNotFoundException, ValidationError } from './errors.ts';
import { paginate } from './pagination.ts';
import type { DescribeSSLPoliciesInput, DescribeSSLPoliciesOutput, SslPolicy } from './shapes.generated.ts';

/*
 * ELB's predefined security policies for HTTPS listeners (a subset of AWS's list, each with the
 * protocols and ciphers, in priority order, that DescribeSSLPolicies answers for it). Names are
 * OpenSSL's (TLS 1.3 suites as TLS_*), which is also what node:tls takes.
 */

/** ELB's default for listeners made through the API, CLI and CloudFormation. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GCM_FS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];
const TLS12 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'AES128-GCM-SHA256',
  'AES128-SHA256',
  'AES256-GCM-SHA384',
  'AES256-SHA256',
];
const POLICY_2016_08 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES128-SHA256',
  'AES128-SHA',
  'AES256-GCM-SHA384',
  'AES256-SHA256',
  'AES256-SHA',
];

export interface SecurityPolicy {
  readonly name: string;
  /** 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'. */
  readonly protocols: readonly string[];
  /** In priority order. */
  readonly ciphers: readonly string[];
}

const POLICIES: readonly SecurityPolicy[] = [
  { name: 'ELBSecurityPolicy-2016-08', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], ciphers: POLICY_2016_08 },
  { name: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', protocols: ['TLSv1.2'], ciphers: GCM_FS },
  { name: 'ELBSecurityPolicy-TLS-1-2-2017-01', protocols: ['TLSv1.2'], ciphers: TLS12 },
  { name: 'ELBSecurityPolicy-TLS13-1-2-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: [...TLS13, ...TLS12] },
  {
    name: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
    protocols: ['TLSv1.2', 'TLSv1.3'],
    ciphers: [...TLS13, ...GCM_FS],
  },
  { name: 'ELBSecurityPolicy-TLS13-1-3-2021-06', protocols: ['TLSv1.3'], ciphers: TLS13 },
];

const BY_NAME = new Map(POLICIES.map((policy) => [policy.name, policy]));

/** The policy of that name; SSLPolicyNotFound as ELB answers for any other. */
export function securityPolicy(name: string): SecurityPolicy {
  const policy = BY_NAME.get(name);
  if (!policy) throw new SSLPolicyNotFoundException(`SSL policy '${name}' not found`);
  return policy;
}

function view(policy: SecurityPolicy): SslPolicy {
  return {
    Name: policy.name,
    SslProtocols: [...policy.protocols],
    Ciphers: policy.ciphers.map((Name, index) => ({ Name, Priority: index + 1 })),
    SupportedLoadBalancerTypes: ['application', 'network'],
  };
}

export function describeSslPolicies(input: DescribeSSLPoliciesInput): Promise<DescribeSSLPoliciesOutput> {
  if (input.LoadBalancerType === 'gateway')
    throw new ValidationError('Gateway Load Balancers do not have security policies');
  const found = input.Names?.length ? input.Names.map(securityPolicy) : [...POLICIES];
  const { page, nextMarker } = paginate(found, (policy) => policy.name, input);
  return Promise.resolve({ SslPolicies: page.map(view), ...(nextMarker ? { NextMarker: nextMarker } : {}) });
}
