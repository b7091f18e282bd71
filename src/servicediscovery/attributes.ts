import { isIPv4, isIPv6 } from 'node:net';
import type { CloudMapHealth, CloudMapServiceRecord } from '../store/index.ts';
import { InvalidInput } from './errors.ts';

/*
 * RegisterInstance's attributes as Cloud Map checks them (RegisterInstance in its API reference):
 * the service's DNS records say which AWS_ attributes are required (A: AWS_INSTANCE_IPV4, AAAA:
 * AWS_INSTANCE_IPV6, SRV: AWS_INSTANCE_PORT and an address, CNAME: AWS_INSTANCE_CNAME; a Route 53
 * health check: AWS_INSTANCE_PORT), each is well formed, and at most 30 custom attributes of 5,000
 * characters in all (keys and values) come with them. AWS_ALIAS_DNS_NAME and AWS_EC2_INSTANCE_ID
 * are refused before this runs (members.ts).
 */

const RESERVED = new Set([
  'AWS_ALIAS_DNS_NAME',
  'AWS_EC2_INSTANCE_ID',
  'AWS_INIT_HEALTH_STATUS',
  'AWS_INSTANCE_CNAME',
  'AWS_INSTANCE_IPV4',
  'AWS_INSTANCE_IPV6',
  'AWS_INSTANCE_PORT',
]);
const MAX_CUSTOM_ATTRIBUTES = 30;
const MAX_ATTRIBUTE_CHARACTERS = 5000;

type Service = Pick<CloudMapServiceRecord['details'], 'dnsConfig' | 'healthCheckConfig' | 'customHealth'>;

export function checkAttributes(attributes: Readonly<Record<string, string>>, service: Service): void {
  const custom = Object.keys(attributes).filter((key) => !RESERVED.has(key));
  if (custom.length > MAX_CUSTOM_ATTRIBUTES) {
    throw new InvalidInput(`An instance can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`);
  }
  const size = custom.reduce((sum, key) => sum + key.length + attributes[key]!.length, 0);
  if (size > MAX_ATTRIBUTE_CHARACTERS) {
    throw new InvalidInput(
      `The custom attributes of an instance may total at most ${MAX_ATTRIBUTE_CHARACTERS} characters, keys and values: these have ${size}.`,
    );
  }
  checkWellFormed(attributes);
  const types = new Set(service.dnsConfig?.DnsRecords.map((record) => record.Type) ?? []);
  const has = (key: string) => attributes[key] !== undefined;
  const require = (key: string, because: string) => {
    if (!has(key)) throw new InvalidInput(`${key} is required because ${because}.`);
  };
  if (types.has('A')) require('AWS_INSTANCE_IPV4', 'the service has an A record');
  if (types.has('AAAA')) require('AWS_INSTANCE_IPV6', 'the service has an AAAA record');
  if (types.has('CNAME')) require('AWS_INSTANCE_CNAME', 'the service has a CNAME record');
  if (types.has('SRV')) {
    require('AWS_INSTANCE_PORT', 'the service has an SRV record');
    if (!has('AWS_INSTANCE_IPV4') && !has('AWS_INSTANCE_IPV6')) {
      throw new InvalidInput(
        'AWS_INSTANCE_IPV4, AWS_INSTANCE_IPV6 or both are required because the service has an SRV record.',
      );
    }
  }
  if (service.healthCheckConfig) require('AWS_INSTANCE_PORT', 'the service has a Route 53 health check');
}

function checkWellFormed(attributes: Readonly<Record<string, string>>): void {
  const ipv4 = attributes.AWS_INSTANCE_IPV4;
  if (ipv4 !== undefined && !isIPv4(ipv4)) throw new InvalidInput(`AWS_INSTANCE_IPV4 ${ipv4} is not an IPv4 address.`);
  const ipv6 = attributes.AWS_INSTANCE_IPV6;
  if (ipv6 !== undefined && !isIPv6(ipv6)) throw new InvalidInput(`AWS_INSTANCE_IPV6 ${ipv6} is not an IPv6 address.`);
  const port = attributes.AWS_INSTANCE_PORT;
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) {
    throw new InvalidInput(`AWS_INSTANCE_PORT ${port} is not a port number (0 to 65535).`);
  }
  const cname = attributes.AWS_INSTANCE_CNAME;
  if (cname !== undefined && !isDomainName(cname)) {
    throw new InvalidInput(`AWS_INSTANCE_CNAME ${cname} is not a domain name.`);
  }
  const health = attributes.AWS_INIT_HEALTH_STATUS;
  if (health !== undefined && health !== 'HEALTHY' && health !== 'UNHEALTHY') {
    throw new InvalidInput(`AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY, not ${health}.`);
  }
}

function isDomainName(name: string): boolean {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return (
    trimmed.length > 0 &&
    trimmed.length <= 253 &&
    trimmed.split('.').every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label))
  );
}

/**
 * An instance's health when it is (re)registered: with custom health, AWS_INIT_HEALTH_STATUS or
 * HEALTHY; without a health check Berth keeps, UNKNOWN (as DiscoverInstances reports such instances).
 */
export function initialHealth(attributes: Readonly<Record<string, string>>, service: Service): CloudMapHealth {
  if (!service.customHealth) return 'UNKNOWN';
  return attributes.AWS_INIT_HEALTH_STATUS === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY';
}
