import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { RECURSION_DESIRED, encode, type Answer, type Packet, type RecordType } from 'dns-packet';
import type { DnsRecord, DnsZoneSource } from '../src/dns/index.ts';
import { holdHostLock } from './host-lock.ts';

/** A query as a stub resolver sends it (RD set), encoded by dns-packet. */
export function encodeQuery(
  name: string,
  type: RecordType,
  options: { id?: number; additionals?: Answer[]; flags?: number } = {},
): Buffer {
  const packet: Packet = {
    type: 'query',
    id: options.id ?? 4242,
    flags: options.flags ?? RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: options.additionals ?? [],
  };
  return encode(packet);
}

/** An EDNS0 OPT record as a resolver adds it. */
export function optRecord(udpPayloadSize: number, options: { dnssecOk?: boolean; version?: number } = {}): Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize,
    extendedRcode: 0,
    ednsVersion: options.version ?? 0,
    flags: options.dnssecOk ? 0x8000 : 0,
    flag_do: options.dnssecOk ?? false,
    options: [],
  };
}

/** One datagram to 127.0.0.1:port, the first datagram back (rejects after `timeoutMs`). */
export function udpExchange(port: number, query: Buffer, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(new Error(`no UDP reply from port ${port} in ${timeoutMs} ms`)), timeoutMs);
    function finish(outcome: Buffer | Error): void {
      clearTimeout(timer);
      socket.close();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
    socket.on('error', (error) => finish(error));
    socket.on('message', (message) => finish(message));
    socket.send(query, port, '127.0.0.1');
  });
}

/** Writes `bytes` to 127.0.0.1:port over TCP and collects `count` length-prefixed replies. */
export function tcpExchange(port: number, bytes: Buffer[], count: number, timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const replies: Buffer[] = [];
    const timer = setTimeout(() => finish(new Error(`${replies.length} of ${count} TCP replies`)), timeoutMs);
    function finish(error?: Error): void {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    }
    socket.on('error', finish);
    socket.on('close', () => finish(new Error(`connection closed after ${replies.length} of ${count} replies`)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        replies.push(received.subarray(2, 2 + received.readUInt16BE(0)));
        received = received.subarray(2 + received.readUInt16BE(0));
      }
      if (replies.length >= count) finish();
    });
    socket.on('connect', () => {
      for (const piece of bytes) socket.write(piece);
    });
  });
}

/** `message` with its two-byte length in front, as DNS over TCP sends it. */
export function withLength(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

const SOA: DnsRecord = {
  type: 'SOA',
  name: 'local',
  ttl: 60,
  mname: 'ns.local',
  rname: 'hostmaster.local',
  serial: 7,
  refresh: 60,
  retry: 30,
  expire: 600,
  minimum: 5,
};

/**
 * A zone source for `local`, as Cloud Map's would answer (records keyed by lower-case name, then
 * type): api.local (A ×2, AAAA), _http._tcp.api.local (SRV, its target's A in additionals),
 * www.local (CNAME to api.local), many.local (100 A: too big for UDP); anything else under
 * `local` is NXDOMAIN, other names are not in the zone. `failing.local` rejects. Lookups are recorded.
 */
export function fakeZones(): DnsZoneSource & { lookups: string[] } {
  const a = (name: string, address: string): DnsRecord => ({ type: 'A', name, ttl: 10, address });
  const api = [a('api.local', '10.0.0.1'), a('api.local', '10.0.0.2')];
  const records: Record<string, Record<string, DnsRecord[]>> = {
    local: { SOA: [SOA] },
    'api.local': { A: api, AAAA: [{ type: 'AAAA', name: 'api.local', ttl: 10, address: 'fd00::1' }] },
    '_http._tcp.api.local': {
      SRV: [
        { type: 'SRV', name: '_http._tcp.api.local', ttl: 10, priority: 1, weight: 1, port: 8080, target: 'api.local' },
      ],
    },
    'www.local': { CNAME: [{ type: 'CNAME', name: 'www.local', ttl: 30, target: 'api.local' }] },
    'many.local': { A: Array.from({ length: 100 }, (_, i) => a('many.local', `10.1.0.${i + 1}`)) },
  };
  const lookups: string[] = [];
  return {
    lookups,
    async lookup(name, type) {
      lookups.push(`${name} ${type}`);
      if (name === 'failing.local') throw new Error('store unavailable');
      if (name !== 'local' && !name.endsWith('.local')) return undefined;
      const byType = records[name];
      if (!byType) return { kind: 'nxdomain', authority: [SOA] };
      const cname = byType.CNAME;
      if (cname && type !== 'CNAME') return { kind: 'answer', answers: [...cname, ...api], additionals: [] };
      const answers = type === 'ANY' ? Object.values(byType).flat() : (byType[type] ?? []);
      if (answers.length === 0) return { kind: 'nodata', authority: [SOA] };
      return { kind: 'answer', answers, additionals: type === 'SRV' ? api : [] };
    },
  };
}

/** The loopback port whose listener says "a test file holds port 53 of this host's Docker networks". */
const PORT_53_LOCK = 45353;

/**
 * Port 53 of the Docker networks is one per host: a test file whose server or agent binds it holds
 * this lock (a listener on a fixed loopback port, released when the file's process ends, even by
 * a crash) for as long as it runs, so two such files never overlap. Waits up to `timeoutMs`.
 */
export function holdPort53(timeoutMs?: number): Promise<() => Promise<void>> {
  return holdHostLock(PORT_53_LOCK, 'port 53', timeoutMs);
}
