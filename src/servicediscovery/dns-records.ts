import type { DnsAnswer, DnsRecord, DnsRecordType, DnsZoneSource } from '../shared/dns-records.ts';
import type { MetadataStore, StoredNamespace, StoredService } from '../store/index.ts';
import { shuffle } from './discover.ts';
import { dnsKey } from './names.ts';
import { DEFAULT_SOA_TTL } from './views.ts';

/*
 * What Route 53 answers for the hosted zones Cloud Map makes of private DNS namespaces (auto
 * naming), for Berth's DNS server (the types are shared/dns-records.ts, which src/dns/ reads too):
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

export type { DnsAnswer, DnsRecord, DnsRecordType, DnsZoneSource } from '../shared/dns-records.ts';

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

/** A record an instance makes, with the additional records that come with it (an SRV's target's addresses). */
interface Made {
  readonly record: DnsRecord;
  readonly additionals: readonly DnsRecord[];
}

/** What a name has, made once per zone: per type, what to choose from, or records answered as they are. */
interface Owner {
  readonly chosen: Map<string, { readonly policy: DnsZoneService['routingPolicy']; healthy: Made[]; all: Made[] }>;
  /** An SRV target's A and AAAA records (one instance's): answered whole. */
  readonly fixed: Map<string, DnsRecord[]>;
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
    if (!owner) owners.set(name, (owner = { chosen: new Map(), fixed: new Map() }));
    return owner;
  };
  for (const service of zone.services) {
    const name = `${dnsKey(service.name)}.${zone.name}`;
    for (const { Type, TTL } of service.records) {
      const made = service.instances.flatMap((instance) =>
        recordsOf(Type, name, TTL, instance).map((record) => ({ record, instance })),
      );
      if (made.length === 0) continue;
      const candidates = { policy: service.routingPolicy, healthy: [] as Made[], all: [] as Made[] };
      for (const { record, instance } of made) {
        const additionals = Type === 'SRV' ? addressesOf(instance, targetTtl(service), targetName(instance, name)) : [];
        candidates.all.push({ record, additionals });
        if (instance.healthy) candidates.healthy.push({ record, additionals });
      }
      ownerOf(name).chosen.set(Type, candidates);
      if (Type !== 'SRV') continue;
      for (const instance of service.instances) {
        for (const address of addressesOf(instance, targetTtl(service), targetName(instance, name))) {
          const fixed = ownerOf(address.name).fixed;
          fixed.set(address.type, [...(fixed.get(address.type) ?? []), address]);
        }
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
  const sets = key === zone.name ? apexSets(zone, soa) : ownerSets(compile(zone).owners.get(key), random);
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
function ownerSets(owner: Owner | undefined, random: () => number): RecordSets | undefined {
  if (!owner) return undefined;
  const sets: RecordSets = new Map();
  for (const [type, { policy, healthy, all }] of owner.chosen) {
    const chosen = sample(healthy.length > 0 ? healthy : all, policy === 'WEIGHTED' ? 1 : MULTIVALUE_MAX, random);
    sets.set(type, { answers: chosen.map((made) => made.record), additionals: chosen.flatMap((m) => m.additionals) });
  }
  for (const [type, records] of owner.fixed) {
    const set = sets.get(type);
    sets.set(type, { answers: [...(set?.answers ?? []), ...records], additionals: set?.additionals ?? [] });
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

/** An instance's A and AAAA records as an SRV target. */
function addressesOf(instance: DnsZoneInstance, ttl: number, name: string): DnsRecord[] {
  const records: DnsRecord[] = [];
  const ipv4 = instance.attributes.AWS_INSTANCE_IPV4;
  const ipv6 = instance.attributes.AWS_INSTANCE_IPV6;
  if (ipv4 !== undefined) records.push({ type: 'A', name, ttl, address: ipv4 });
  if (ipv6 !== undefined) records.push({ type: 'AAAA', name, ttl, address: ipv6 });
  return records;
}

/** The TTL of an SRV target's address records: the service's A (or AAAA) record's, else its SRV's. */
function targetTtl(service: DnsZoneService): number {
  const ttl = (type: string) => service.records.find((record) => record.Type === type)?.TTL;
  return ttl('A') ?? ttl('AAAA') ?? ttl('SRV') ?? 0;
}

/** `count` of `pool` at random (a partial Fisher–Yates: linear in the pool, `count` draws). */
function sample<T>(pool: readonly T[], count: number, random: () => number): T[] {
  if (pool.length <= count) return shuffle(pool, random);
  const copy = [...pool];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
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

/** How stale the DNS answers may be: the store's Cloud Map revision is read this often at most. */
export const REVISION_CHECK_MS = 100;

/**
 * The zones of the store's private DNS namespaces. They are read again only when the store's Cloud
 * Map revision has moved, and the revision at most every REVISION_CHECK_MS, so a query costs no
 * store read while nothing changes.
 */
export function cloudMapZones(deps: {
  readonly store: MetadataStore;
  readonly random?: () => number;
  /** REVISION_CHECK_MS by default; 0 reads the revision for every query. */
  readonly revisionCheckMs?: number;
}): DnsZoneSource {
  const checkMs = deps.revisionCheckMs ?? REVISION_CHECK_MS;
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
  // The revision is read at most every checkMs, and queries arriving meanwhile share
  // that read: a change (made by this server or another on the same store) shows within it.
  let checked: { at: number; revision: Promise<number> } | undefined;
  const currentRevision = (): Promise<number> => {
    const now = performance.now();
    if (!checked || now - checked.at >= checkMs) {
      const next = { at: now, revision: repository.revision() };
      checked = next;
      next.revision.catch(() => {
        if (checked === next) checked = undefined;
      });
    }
    return checked.revision;
  };
  const zones = async (): Promise<DnsZone[]> => {
    const revision = await currentRevision();
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
