/**
 * What the DNS server asks of the zones it serves (Cloud Map's private DNS namespaces): the shared
 * vocabulary of shared/dns-records.ts. cmd/ hands the servicediscovery zone source to `startDnsServer`.
 */
export type { DnsAnswer, DnsRecord, DnsRecordType, DnsZoneSource } from '../shared/dns-records.ts';
