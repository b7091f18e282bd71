/**
 * The vocabulary between a DNS zone's answers and the DNS server that sends them: what Cloud Map's
 * private DNS namespaces answer (servicediscovery/dns-records.ts) and what src/dns/ encodes. Types
 * only, so that neither folder depends on the other.
 */

/** A question's type as the packet library names it (`'A'`, `'SRV'`, `'ANY'`, `'UNKNOWN_65280'`...). */
export type DnsRecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME' | 'SOA' | 'NS' | 'TXT' | 'ANY' | string;

export type DnsRecord =
  | { type: 'A' | 'AAAA'; name: string; ttl: number; address: string }
  | { type: 'CNAME'; name: string; ttl: number; target: string }
  | { type: 'SRV'; name: string; ttl: number; priority: number; weight: number; port: number; target: string }
  | {
      type: 'SOA';
      name: string;
      ttl: number;
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  | { type: 'NS'; name: string; ttl: number; target: string };

export type DnsAnswer =
  | { kind: 'answer'; answers: DnsRecord[]; additionals: DnsRecord[] }
  | { kind: 'nxdomain'; authority: DnsRecord[] }
  | { kind: 'nodata'; authority: DnsRecord[] };

export interface DnsZoneSource {
  /**
   * `name` is lower-case ASCII without the trailing dot (`api.local`). undefined: the name is in none
   * of Berth's zones (the server forwards the question).
   */
  lookup(name: string, type: DnsRecordType): Promise<DnsAnswer | undefined>;
}
