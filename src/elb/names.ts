import { createHash, randomBytes, randomInt } from 'node:crypto';
import { formatArn, parseArn, type ArnScope } from '../shared/arn.ts';
import type { ElbResourceKind } from '../store/index.ts';
import { ValidationError } from './errors.ts';

/*
 * Names and ARNs, as ELBv2 forms them:
 *   loadbalancer/app/<name>/<16 hex>
 *   targetgroup/<name>/<16 hex>
 *   listener/app/<lb name>/<lb id>/<16 hex>
 *   listener-rule/app/<lb name>/<lb id>/<listener id>/<16 hex>
 */

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** Load balancer names: 1–32 alphanumerics or hyphens, no hyphen first or last, not "internal-...". */
export function checkLoadBalancerName(name: string): void {
  if (name.length > 32) throw new ValidationError(`Load balancer name '${name}' cannot be longer than '32' characters`);
  if (name.toLowerCase().startsWith('internal-'))
    throw new ValidationError(`Load balancer name '${name}' cannot begin with 'internal-'`);
  if (!NAME.test(name)) {
    throw new ValidationError(
      `Load balancer name '${name}' can only contain characters that are alphanumeric characters or hyphens(-) and cannot begin or end with a hyphen`,
    );
  }
}

/** Target group names: the same grammar, 1–32 characters. */
export function checkTargetGroupName(name: string): void {
  if (name.length > 32) throw new ValidationError(`Target group name '${name}' cannot be longer than '32' characters`);
  if (!NAME.test(name)) {
    throw new ValidationError(
      `Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-) and cannot begin or end with a hyphen`,
    );
  }
}

function hex16(): string {
  return randomBytes(8).toString('hex');
}

export function loadBalancerArn(scope: ArnScope, name: string): string {
  return formatArn('elasticloadbalancing', scope, `loadbalancer/app/${name}/${hex16()}`);
}

export function targetGroupArn(scope: ArnScope, name: string): string {
  return formatArn('elasticloadbalancing', scope, `targetgroup/${name}/${hex16()}`);
}

/** listener/app/<lb name>/<lb id>/<id>, from the load balancer's ARN. */
export function listenerArn(loadBalancerArn: string): string {
  return `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${hex16()}`;
}

/** listener-rule/app/<lb name>/<lb id>/<listener id>/<id>, from the listener's ARN. */
export function ruleArn(listenerArn: string): string {
  return `${listenerArn.replace(':listener/', ':listener-rule/')}/${hex16()}`;
}

/** What kind of ELBv2 resource an ARN names, if it is one. */
export function kindOfArn(arn: string): ElbResourceKind | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'elasticloadbalancing') return undefined;
  const [type, ...rest] = parsed.resource.split('/');
  if (type === 'loadbalancer' && rest.length === 3) return 'load-balancer';
  if (type === 'targetgroup' && rest.length === 2) return 'target-group';
  if (type === 'listener' && rest.length === 4) return 'listener';
  if (type === 'listener-rule' && rest.length === 5) return 'rule';
  return undefined;
}

/** <name>-<10 digits>.<region>.elb.localhost (internal load balancers get AWS's "internal-" prefix). */
export function dnsName(name: string, region: string, internal: boolean): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 10) digits += String(randomInt(0, 10));
  return `${internal ? 'internal-' : ''}${name}-${digits}.${region}.elb.localhost`;
}

/** The VPC every Berth load balancer is in: one per account and region, stable across restarts. */
export function berthVpcId(scope: ArnScope): string {
  return `vpc-${stableHex(`${scope.accountId}/${scope.region}`)}`;
}

/** Subnet ids for load balancers created without any: one per default zone. */
export function defaultSubnetId(scope: ArnScope, zone: string): string {
  return `subnet-${stableHex(`${scope.accountId}/${zone}`)}`;
}

function stableHex(seed: string): string {
  return `0be${createHash('sha256').update(seed).digest('hex').slice(0, 14)}`;
}

/** Application Load Balancers' hosted zones (Route 53 alias targets), by region. */
const HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-southeast-2': 'Z1GM3OXH4ZPM65',
};

export function canonicalHostedZoneId(region: string): string {
  return HOSTED_ZONES[region] ?? 'Z35SXDOTRQ7X7K';
}

/** The security group a load balancer created without any is in (the VPC's default group). */
export function defaultSecurityGroupId(scope: ArnScope): string {
  return `sg-${stableHex(`${scope.accountId}/${scope.region}/default`)}`;
}
