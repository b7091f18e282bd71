export { serviceDiscoveryOperations } from './operations.ts';
export { serviceDiscoveryAccess } from './access.ts';
export { serviceDiscoveryMembers } from './members.ts';
export type { ServiceDiscoveryDeps } from './deps.ts';
export { InvalidInput } from './errors.ts';
export * as serviceDiscoveryErrors from './errors.ts';
export type * from './shapes.generated.ts';
export { serviceDiscoveryResourceTags } from './resource-tags.ts';
export { serviceRegistrations, type ServiceRegistrations } from './registrations.ts';
export {
  answerDnsQuestion,
  cloudMapZones,
  type DnsAnswer,
  type DnsRecord,
  type DnsRecordType,
  type DnsZone,
  type DnsZoneSource,
} from './dns-records.ts';
