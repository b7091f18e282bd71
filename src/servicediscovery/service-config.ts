import type { CloudMapNamespaceType, CloudMapServiceRecord } from '../store/index.ts';
import { InvalidInput } from './errors.ts';
import type { DnsConfig, DnsRecord, HealthCheckConfig } from './shapes.generated.ts';

/*
 * A service's DNS and health check settings as Cloud Map accepts them (CreateService, DnsRecord,
 * HealthCheckConfig in its API reference): record types in the combinations Route 53 auto naming
 * makes (A, AAAA, A and AAAA, SRV, CNAME; SRV with A and/or AAAA too, as ECS makes for awsvpc
 * tasks), each type once; CNAME only with WEIGHTED routing and without a Route 53 health check;
 * HealthCheckConfig or HealthCheckCustomConfig, not both, and HealthCheckConfig not in a private
 * namespace (Route 53 checks endpoints from the internet). RoutingPolicy is MULTIVALUE by default.
 */

type ServiceDetails = CloudMapServiceRecord['details'];
export type StoredDnsConfig = NonNullable<ServiceDetails['dnsConfig']>;

const DNS_TYPES = new Set(['A', 'AAAA', 'SRV', 'CNAME']);

/** The record types of a DnsConfig, checked: each once, in an allowed combination. */
export function checkDnsRecords(records: readonly DnsRecord[]): void {
  if (records.length === 0) throw new InvalidInput('DnsConfig.DnsRecords must contain at least one record.');
  const types = records.map((record) => record.Type);
  if (new Set(types).size !== types.length) {
    throw new InvalidInput('DnsConfig.DnsRecords may contain each record type only once.');
  }
  if (types.some((type) => !DNS_TYPES.has(type)))
    throw new InvalidInput('DnsRecords Type must be A, AAAA, SRV or CNAME.');
  if (types.includes('CNAME') && types.length > 1) {
    throw new InvalidInput('A CNAME record cannot be combined with another record type in DnsConfig.DnsRecords.');
  }
}

export function resolveDnsConfig(config: DnsConfig, health: { route53: boolean }): StoredDnsConfig {
  checkDnsRecords(config.DnsRecords);
  const policy = config.RoutingPolicy ?? 'MULTIVALUE';
  const cname = config.DnsRecords.some((record) => record.Type === 'CNAME');
  if (cname && policy !== 'WEIGHTED') {
    throw new InvalidInput('A service with a CNAME record must use the WEIGHTED routing policy.');
  }
  if (cname && health.route53) {
    throw new InvalidInput("You can't specify both CNAME for Type and settings for HealthCheckConfig.");
  }
  return {
    ...(config.NamespaceId !== undefined ? { NamespaceId: config.NamespaceId } : {}),
    RoutingPolicy: policy,
    DnsRecords: config.DnsRecords.map((record) => ({ Type: record.Type, TTL: record.TTL })),
  };
}

export function checkHealthCheckConfig(config: HealthCheckConfig, namespaceType: CloudMapNamespaceType): void {
  if (namespaceType === 'DNS_PRIVATE') {
    throw new InvalidInput(
      'HealthCheckConfig is for public DNS and HTTP namespaces only: use HealthCheckCustomConfig in a private DNS namespace.',
    );
  }
  if (config.Type === 'TCP' && config.ResourcePath !== undefined) {
    throw new InvalidInput("ResourcePath can't be specified for a TCP health check.");
  }
}

export interface ServiceSettings {
  readonly namespaceType: CloudMapNamespaceType;
  readonly type?: 'HTTP';
  readonly dnsConfig?: DnsConfig;
  readonly healthCheckConfig?: HealthCheckConfig;
  readonly customHealth: boolean;
}

/** CreateService's settings, checked, as the service keeps them. */
export function resolveServiceSettings(
  settings: ServiceSettings,
): Pick<ServiceDetails, 'type' | 'dnsConfig' | 'healthCheckConfig' | 'customHealth'> {
  if (settings.healthCheckConfig && settings.customHealth) {
    throw new InvalidInput('A service can have HealthCheckConfig or HealthCheckCustomConfig, but not both.');
  }
  if (settings.healthCheckConfig) checkHealthCheckConfig(settings.healthCheckConfig, settings.namespaceType);
  if (settings.dnsConfig && (settings.namespaceType === 'HTTP' || settings.type === 'HTTP')) {
    throw new InvalidInput(
      settings.type === 'HTTP'
        ? 'A service of Type HTTP has no DNS records: DnsConfig cannot be specified.'
        : 'DnsConfig cannot be specified for a service in an HTTP namespace.',
    );
  }
  const dnsConfig = settings.dnsConfig
    ? resolveDnsConfig(settings.dnsConfig, { route53: settings.healthCheckConfig !== undefined })
    : undefined;
  return {
    type: dnsConfig ? 'DNS_HTTP' : 'HTTP',
    ...(dnsConfig ? { dnsConfig } : {}),
    ...(settings.healthCheckConfig ? { healthCheckConfig: { ...settings.healthCheckConfig } } : {}),
    customHealth: settings.customHealth,
  };
}

/**
 * UpdateService's change: the records' TTLs (their types stay what they are), the description, and
 * HealthCheckConfig, which an update without it removes (Cloud Map's rule); custom health stays.
 */
export function updateServiceSettings(
  details: ServiceDetails,
  change: { Description?: string; DnsConfig?: { DnsRecords: DnsRecord[] }; HealthCheckConfig?: HealthCheckConfig },
  namespaceType: CloudMapNamespaceType,
): ServiceDetails {
  let dnsConfig = details.dnsConfig;
  if (change.DnsConfig) {
    if (!dnsConfig)
      throw new InvalidInput('The service has no DNS records to update: it is discovered by API calls only.');
    checkDnsRecords(change.DnsConfig.DnsRecords);
    const before = dnsConfig.DnsRecords.map((record) => record.Type).sort();
    const after = change.DnsConfig.DnsRecords.map((record) => record.Type).sort();
    if (before.join() !== after.join()) {
      throw new InvalidInput(
        `UpdateService changes the TTLs of the service's DNS records only: its record types are ${before.join(', ')}.`,
      );
    }
    dnsConfig = { ...dnsConfig, DnsRecords: change.DnsConfig.DnsRecords.map((r) => ({ Type: r.Type, TTL: r.TTL })) };
  }
  if (change.HealthCheckConfig) {
    if (details.customHealth) {
      throw new InvalidInput('A service can have HealthCheckConfig or HealthCheckCustomConfig, but not both.');
    }
    checkHealthCheckConfig(change.HealthCheckConfig, namespaceType);
    if (dnsConfig?.DnsRecords.some((record) => record.Type === 'CNAME')) {
      throw new InvalidInput("You can't specify both CNAME for Type and settings for HealthCheckConfig.");
    }
  }
  const description = change.Description ?? details.description;
  return {
    type: details.type,
    customHealth: details.customHealth,
    tags: details.tags,
    ...(details.attributes !== undefined ? { attributes: details.attributes } : {}),
    ...(details.creatorRequestId !== undefined ? { creatorRequestId: details.creatorRequestId } : {}),
    ...(description !== undefined && description !== '' ? { description } : {}),
    ...(dnsConfig ? { dnsConfig } : {}),
    ...(change.HealthCheckConfig ? { healthCheckConfig: { ...change.HealthCheckConfig } } : {}),
  };
}
