export { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.ts';
export { hostResolvers, parseUpstream, type HostResolversOptions, type Upstream } from './upstreams.ts';
export type { DnsAnswer, DnsRecord, DnsRecordType, DnsZoneSource } from './zone-source.ts';
