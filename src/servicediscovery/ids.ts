import { randomInt } from 'node:crypto';
import { formatArn, parseArn, type ArnScope } from '../shared/arn.ts';

/*
 * Identifiers as Cloud Map makes them: ns-e4anhexample0004 and srv-e4anhexample0004 (16 lower-case
 * letters and digits), operations igbkufld72o4vbsbwejfi6eyinfprhc3-jkwmz00b (32, a dash, 8), and
 * the Route 53 hosted zone a DNS namespace would have (Z and 20 upper-case letters and digits).
 * ARNs: arn:aws:servicediscovery:REGION:ACCOUNT:namespace/ns-… and …:service/srv-….
 */

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomText(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)];
  return text;
}

export function newNamespaceId(): string {
  return `ns-${randomText(LOWER, 16)}`;
}

export function newServiceId(): string {
  return `srv-${randomText(LOWER, 16)}`;
}

export function newOperationId(): string {
  return `${randomText(LOWER, 32)}-${randomText(LOWER, 8)}`;
}

export function newHostedZoneId(): string {
  return `Z${randomText(UPPER, 20)}`;
}

export function namespaceArn(scope: ArnScope, id: string): string {
  return formatArn('servicediscovery', scope, `namespace/${id}`);
}

export function serviceArn(scope: ArnScope, id: string): string {
  return formatArn('servicediscovery', scope, `service/${id}`);
}

/**
 * The id a request's Id, NamespaceId or ServiceId names: the id itself, or the id in an ARN of this
 * account and region (another account's ARN names nothing here: undefined).
 */
export function idOf(reference: string, kind: 'namespace' | 'service', scope: ArnScope): string | undefined {
  if (!reference.startsWith('arn:')) return reference;
  const arn = parseArn(reference);
  if (arn?.service !== 'servicediscovery' || arn.region !== scope.region || arn.accountId !== scope.accountId) {
    return undefined;
  }
  const prefix = `${kind}/`;
  return arn.resource.startsWith(prefix) ? arn.resource.slice(prefix.length) : undefined;
}

/** The ARN a request's reference stands for, whatever it names (what access declarations ask for). */
export function arnOf(reference: string, kind: 'namespace' | 'service', scope: ArnScope): string {
  if (reference.startsWith('arn:')) return reference;
  return kind === 'namespace' ? namespaceArn(scope, reference) : serviceArn(scope, reference);
}
