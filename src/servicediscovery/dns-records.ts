import type { MetadataStore, StoredNamespace, StoredService } from '../store/index.ts';
import { shuffle } from './discover.ts';
import { dnsKey } from './names.ts';
import { DEFAULT_SOA_TTL } from './views.ts';

/*
 * What Route 53 answers for the hosted zones Cloud Map makes of private DNS namespaces (auto
 * naming), for Berth's DNS server (src/dns/ copies these types by shape):
 *
 * - the apex has the private hosted zone's SOA and NS records (Route 53's own name servers and
 *   values; the SOA's TTL is the namespace's SOA TTL, which is what negative answers are cached for);
 * - svc.ns.local has one record set per record type of the service's DnsConfig, made from its
 *   instances (A: AWS_INSTANCE_IPV4, AAAA: AWS_INSTANCE_IPV6, CNAME: AWS_INSTANCE_CNAME, SRV:
 *   "1 1 AWS_INSTANCE_PORT <instance-id>.svc.ns.local"), with the DnsConfig's TTLs; a service
 *   without instances has no records;
 * - <instance-id>.svc.ns.local has the A and AAAA records of that instance when the service has
 *   SRV records (Cloud Map makes them as the SRV targets), and an SRV answer carries them as
 *   additional records;
 * - MULTIVALUE answers up to 8 healthy records, chosen at random when there are more, and when
 *   none is healthy up to 8 unhealthy ones (Route 53's multivalue rule); WEIGHTED answers one
 *   healthy record at random, or one of all when none is healthy ("as if all were healthy"). An
 *   instance is unhealthy only when its custom health says so: without a health check Route 53
 *   counts every record as healthy;
 * - a CNAME at a name answers for every type there; names compare without case; a name in the
 *   zone with no records of the type is NODATA, a name with no records at or below it NXDOMAIN,
 *   both with the zone's SOA as authority. Berth does not follow a CNAME: the resolver does.
 */

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
  | { kind: 'nxdomain'; authority: DnsRecord[] } // the zone's SOA
  | { kind: 'nodata'; authority: DnsRecord[] };

export interface DnsZoneSource {
  /** undefined: the name is in none of Berth's private DNS namespaces (the server forwards it). */
  lookup(name: string, type: DnsRecordType): Promise<DnsAnswer | undefined>;
}

/** A private DNS namespace as its zone: names in lower case without the trailing dot. */
export interface DnsZone {
  readonly name: string;
  readonly soaTtl: number;
  readonly services: readonly DnsZoneService[];
}

export interface DnsZoneService {
  readonly name: string;
  readonly routingPolicy: 'MULTIVALUE' | 'WEIGHTED';
  readonly records: readonly { readonly Type: string; readonly TTL: number }[];
  readonly instances: readonly DnsZoneInstance[];
}

export interface DnsZoneInstance {
  readonly id: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly healthy: boolean;
}

/** Route 53's name servers and SOA values for every private hosted zone. */
const NAME_SERVERS = ['ns-1536.awsdns-00.co.uk', 'ns-0.awsdns-00.com', 'ns-1024.awsdns-00.org', 'ns-512.awsdns-00.net'];
const NS_TTL = 172800;
const MULTIVALUE_MAX = 8;

export function soaRecord(zone: Pick<DnsZone, 'name' | 'soaTtl'>): DnsRecord {
  return {
    type: 'SOA',
    name: zone.name,
    ttl: zone.soaTtl,
    mname: NAME_SERVERS[0]!,
    rname: 'awsdns-hostmaster.amazon.com',
    serial: 1,
    refresh: 7200,
    retry: 900,
    expire: 1209600,
    minimum: 86400,
  };
}

interface Owner {
  service?: DnsZoneService;
  /** The SRV targets named here: instances of services with SRV records. */
  targets: { service: DnsZoneService; instance: DnsZoneInstance }[];
}

interface CompiledZone {
  readonly owners: ReadonlyMap<string, Owner>;
  /** Names with records below them but none of their own (empty non-terminals: NODATA, not NXDOMAIN). */
  readonly between: ReadonlySet<string>;
}

const compiled = new WeakMap<DnsZone, CompiledZone>();

function compile(zone: DnsZone): CompiledZone {
  const cached = compiled.get(zone);
  if (cached) return cached;
  const owners = new Map<string, Owner>();
  const ownerOf = (name: string) => {
    let owner = owners.get(name);
    if (!owner) owners.set(name, (owner = { targets: [] }));
    return owner;
  };
  for (const service of zone.services) {
    if (service.instances.length === 0) continue;
    const name = `${dnsKey(service.name)}.${zone.name}`;
    ownerOf(name).service = service;
    if (!service.records.some((record) => record.Type === 'SRV')) continue;
    for (const instance of service.instances) {
      if (addressesOf(instance, targetTtl(service)).length > 0) {
        ownerOf(targetName(instance, name)).targets.push({ service, instance });
      }
    }
  }
  const between = new Set<string>();
  for (const name of owners.keys()) {
    for (let at = name.indexOf('.'); at !== -1; at = name.indexOf('.', at + 1)) {
      const parent = name.slice(at + 1);
      if (parent === zone.name || parent.length < zone.name.length) break;
      if (!owners.has(parent)) between.add(parent);
    }
  }
  const result = { owners, between };
  compiled.set(zone, result);
  return result;
}

/** The answer for one question to one zone; `random` chooses among records. */
export function answerDnsQuestion(zone: DnsZone, name: string, type: DnsRecordType, random: () => number): DnsAnswer {
  const key = dnsKey(name);
  const soa = soaRecord(zone);
  const sets = key === zone.name ? apexSets(zone, soa) : ownerSets(compile(zone).owners.get(key), key, random);
  const negative = (kind: 'nxdomain' | 'nodata'): DnsAnswer => ({ kind, authority: [soa] });
  if (!sets) return negative(compile(zone).between.has(key) ? 'nodata' : 'nxdomain');
  const cname = sets.get('CNAME');
  if (cname && type !== 'CNAME') return { kind: 'answer', answers: cname.answers, additionals: [] };
  if (type === 'ANY') {
    const all = [...sets.values()];
    return {
      kind: 'answer',
      answers: all.flatMap((set) => set.answers),
      additionals: all.flatMap((s) => s.additionals),
    };
  }
  const set = sets.get(type);
  return set ? { kind: 'answer', answers: set.answers, additionals: set.additionals } : negative('nodata');
}

type RecordSets = Map<string, { answers: DnsRecord[]; additionals: DnsRecord[] }>;

function apexSets(zone: DnsZone, soa: DnsRecord): RecordSets {
  const ns = NAME_SERVERS.map((target): DnsRecord => ({ type: 'NS', name: zone.name, ttl: NS_TTL, target }));
  return new Map([
    ['SOA', { answers: [soa], additionals: [] }],
    ['NS', { answers: ns, additionals: [] }],
  ]);
}

/** The record sets at a name other than the apex; undefined when it has none. */
function ownerSets(owner: Owner | undefined, name: string, random: () => number): RecordSets | undefined {
  if (!owner) return undefined;
  const sets: RecordSets = new Map();
  const service = owner.service;
  for (const record of service?.records ?? []) {
    const made = service!.instances.flatMap((instance) =>
      recordsOf(record.Type, name, record.TTL, instance).map((made) => ({ record: made, instance })),
    );
    const chosen = choose(made, service!.routingPolicy, random);
    if (chosen.length === 0) continue;
    const additionals =
      record.Type === 'SRV'
        ? chosen.flatMap(({ instance }) =>
            addressesOf(instance, targetTtl(service!)).map((a) => ({ ...a, name: targetName(instance, name) })),
          )
        : [];
    sets.set(record.Type, { answers: chosen.map((c) => c.record), additionals });
  }
  for (const { service: of, instance } of owner.targets) {
    for (const address of addressesOf(instance, targetTtl(of))) {
      const set = sets.get(address.type) ?? { answers: [], additionals: [] };
      set.answers.push({ ...address, name });
      sets.set(address.type, set);
    }
  }
  return sets.size > 0 ? sets : undefined;
}

function recordsOf(type: string, name: string, ttl: number, instance: DnsZoneInstance): DnsRecord[] {
  const attributes = instance.attributes;
  switch (type) {
    case 'A':
    case 'AAAA': {
      const address = attributes[type === 'A' ? 'AWS_INSTANCE_IPV4' : 'AWS_INSTANCE_IPV6'];
      return address === undefined ? [] : [{ type, name, ttl, address }];
    }
    case 'CNAME': {
      const target = attributes.AWS_INSTANCE_CNAME;
      return target === undefined ? [] : [{ type, name, ttl, target: dnsKey(target) }];
    }
    case 'SRV': {
      const port = attributes.AWS_INSTANCE_PORT;
      if (port === undefined) return [];
      return [{ type, name, ttl, priority: 1, weight: 1, port: Number(port), target: targetName(instance, name) }];
    }
    default:
      return [];
  }
}

/** <instance-id>.svc.ns.local: where an SRV record points, and its instance's addresses are. */
function targetName(instance: DnsZoneInstance, serviceName: string): string {
  return `${dnsKey(instance.id)}.${serviceName}`;
}

/** An instance's A and AAAA records as an SRV target (named by the caller). */
function addressesOf(instance: DnsZoneInstance, ttl: number): DnsRecord[] {
  const records: DnsRecord[] = [];
  const ipv4 = instance.attributes.AWS_INSTANCE_IPV4;
  const ipv6 = instance.attributes.AWS_INSTANCE_IPV6;
  if (ipv4 !== undefined) records.push({ type: 'A', name: '', ttl, address: ipv4 });
  if (ipv6 !== undefined) records.push({ type: 'AAAA', name: '', ttl, address: ipv6 });
  return records;
}

/** The TTL of an SRV target's address records: the service's A (or AAAA) record's, else its SRV's. */
function targetTtl(service: DnsZoneService): number {
  const ttl = (type: string) => service.records.find((record) => record.Type === type)?.TTL;
  return ttl('A') ?? ttl('AAAA') ?? ttl('SRV') ?? 0;
}

function choose<T extends { instance: DnsZoneInstance }>(
  made: readonly T[],
  policy: DnsZoneService['routingPolicy'],
  random: () => number,
): T[] {
  const healthy = made.filter((item) => item.instance.healthy);
  const pool = healthy.length > 0 ? healthy : made;
  return shuffle(pool, random).slice(0, policy === 'WEIGHTED' ? 1 : MULTIVALUE_MAX);
}

/** A namespace and its services as the zone the DNS server answers from. */
export function zoneOf(
  namespace: Pick<StoredNamespace, 'name' | 'details'>,
  services: readonly (Pick<StoredService, 'name' | 'details'> & {
    readonly instances: readonly { id: string; attributes: Readonly<Record<string, string>>; health: string }[];
  })[],
): DnsZone {
  return {
    name: dnsKey(namespace.name),
    soaTtl: namespace.details.soaTtl ?? DEFAULT_SOA_TTL,
    services: services
      .filter((service) => service.details.dnsConfig)
      .map((service) => ({
        name: dnsKey(service.name),
        routingPolicy: service.details.dnsConfig!.RoutingPolicy ?? 'MULTIVALUE',
        records: service.details.dnsConfig!.DnsRecords,
        instances: service.instances.map((instance) => ({
          id: instance.id,
          attributes: instance.attributes,
          healthy: instance.health !== 'UNHEALTHY',
        })),
      })),
  };
}

/**
 * The zones of the store's private DNS namespaces. They are read again only when the store's Cloud
 * Map revision has moved, so a query costs one small read while nothing changes.
 */
export function cloudMapZones(deps: { readonly store: MetadataStore; readonly random?: () => number }): DnsZoneSource {
  const repository = deps.store.serviceDiscovery;
  const random = deps.random ?? Math.random;
  let cache: { revision: number; zones: Promise<DnsZone[]> } | undefined;
  const load = async (): Promise<DnsZone[]> => {
    const namespaces = (await repository.namespaces()).filter((namespace) => namespace.type === 'DNS_PRIVATE');
    const services = (await repository.services()).filter((service) => service.details.dnsConfig);
    const instances = Map.groupBy(
      await repository.instances(services.map((service) => service.id)),
      (instance) => instance.serviceId,
    );
    return namespaces.map((namespace) =>
      zoneOf(
        namespace,
        services
          .filter((service) => service.namespaceId === namespace.id)
          .map((service) => ({ ...service, instances: instances.get(service.id) ?? [] })),
      ),
    );
  };
  const zones = async (): Promise<DnsZone[]> => {
    const revision = await repository.revision();
    if (cache?.revision !== revision) {
      const next = { revision, zones: load() };
      cache = next;
      next.zones.catch(() => {
        if (cache === next) cache = undefined;
      });
    }
    return cache.zones;
  };
  return {
    async lookup(name, type) {
      const key = dnsKey(name);
      let best: DnsZone | undefined;
      for (const zone of await zones()) {
        const within = key === zone.name || key.endsWith(`.${zone.name}`);
        if (within && (!best || zone.name.length > best.name.length)) best = zone;
      }
      return best && answerDnsQuestion(best, key, type, random);
    },
  };
}
