import type { Answer } from 'dns-packet';
import type { DnsRecord } from './zone-source.ts';

/** The question's name as asked, and folded to lower case as the zone source saw it. */
export interface Owner {
  asked: string;
  lowerCase: string;
}

/**
 * The zone source's records as dns-packet encodes them. Records owned by the name asked for carry
 * it in the question's letter case (resolvers compare case-sensitively when they randomize it).
 * In a negative answer, the SOA lives no longer than its MINIMUM field says (RFC 2308 §5).
 */
export function toPacketRecords(
  records: readonly DnsRecord[],
  owner: Owner,
  options: { negative: boolean } = { negative: false },
): Answer[] {
  return records.map((record) => {
    const name = record.name.toLowerCase().replace(/\.$/, '') === owner.lowerCase ? owner.asked : record.name;
    switch (record.type) {
      case 'A':
      case 'AAAA':
        return { type: record.type, name, ttl: record.ttl, data: record.address };
      case 'CNAME':
      case 'NS':
        return { type: record.type, name, ttl: record.ttl, data: record.target };
      case 'SRV': {
        const { priority, weight, port, target } = record;
        return { type: 'SRV', name, ttl: record.ttl, data: { priority, weight, port, target } };
      }
      case 'SOA': {
        const { mname, rname, serial, refresh, retry, expire, minimum } = record;
        const data = { mname, rname, serial, refresh, retry, expire, minimum };
        return { type: 'SOA', name, ttl: options.negative ? Math.min(record.ttl, minimum) : record.ttl, data };
      }
    }
  });
}
