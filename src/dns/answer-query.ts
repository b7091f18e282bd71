import { DNSSEC_OK, decode, encode, type Answer, type OptAnswer, type Packet, type Question } from 'dns-packet';
import type { Logger } from '../shared/logger.ts';
import { toPacketRecords } from './packet-records.ts';
import type { DnsAnswer, DnsZoneSource } from './zone-source.ts';
import { Flag, HEADER_BYTES, Rcode, questionEnd, readHeader, replyFlags, type Header } from './wire.ts';

/** Without EDNS0, a UDP message is at most 512 bytes (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_BYTES = 512;
/** The most a UDP query may carry, whatever its OPT record says. */
export const MAX_UDP_QUERY_BYTES = 4096;
/**
 * The UDP payload this server advertises and the most it sends over UDP: DNS Flag Day 2020's
 * size, which fits in one IPv6 packet without fragmentation (what BIND and Unbound default to).
 */
export const EDNS_UDP_BYTES = 1232;
const MAX_TCP_BYTES = 65535;
/** OPT and perhaps a TSIG: anything more in a query is malformed, and bounds the decoding work. */
const MAX_QUERY_ADDITIONALS = 2;
const ZONE_TRANSFERS: ReadonlySet<string> = new Set(['AXFR', 'IXFR']);

export interface QueryContext {
  transport: 'udp' | 'tcp';
  zones: DnsZoneSource;
  /** Asks the upstream resolvers; undefined when none answers. Absent: names outside the zones are REFUSED. */
  forward: ((query: Buffer) => Promise<Buffer | undefined>) | undefined;
  log: Logger;
}

interface Query {
  header: Header;
  question: Question;
  /** The question's bytes, echoed as they came: case, odd labels and all. */
  rawQuestion: Buffer;
  opt: OptAnswer | undefined;
  /** What the reply may take: the client's EDNS0 size (512 at least) up to ours on UDP, 65,535 on TCP. */
  limit: number;
  recursion: boolean;
}

/**
 * One query in, its reply out (undefined: no reply, for what is not a query at all). Never throws
 * on any input; reads a bounded number of names from a message of bounded size, so the work is
 * linear in the message's length.
 */
export async function answerQuery(message: Buffer, context: QueryContext): Promise<Buffer | undefined> {
  const header = readHeader(message);
  if (!header || header.flags & Flag.QR) return undefined;
  if (header.opcode !== 0) return headerOnly(header, Rcode.NOTIMP);
  const query = parseQuery(message, header, context);
  if (!query) return headerOnly(header, Rcode.FORMERR);
  if (query.opt && query.opt.ednsVersion !== 0) return reply(query, { rcode: Rcode.BADVERS });
  if (query.question.class !== 'IN' || ZONE_TRANSFERS.has(query.question.type)) {
    return reply(query, { rcode: Rcode.REFUSED });
  }
  const name = lowerCase(query.question.name);
  let answer: DnsAnswer | undefined;
  try {
    answer = isPlainName(query) ? await context.zones.lookup(name, query.question.type) : undefined;
  } catch (error) {
    context.log.error({ err: error, name, type: query.question.type }, 'DNS zone lookup failed');
    return reply(query, { rcode: Rcode.SERVFAIL });
  }
  if (answer) return authoritativeReply(query, answer, context.log);
  if (!context.forward) return reply(query, { rcode: Rcode.REFUSED });
  return (await context.forward(message)) ?? reply(query, { rcode: Rcode.SERVFAIL });
}

function parseQuery(message: Buffer, header: Header, context: QueryContext): Query | undefined {
  const tooLong = context.transport === 'udp' ? message.length > MAX_UDP_QUERY_BYTES : message.length > MAX_TCP_BYTES;
  if (tooLong || header.questions !== 1 || header.answers !== 0 || header.authorities !== 0) return undefined;
  if (header.additionals > MAX_QUERY_ADDITIONALS) return undefined;
  let packet: ReturnType<typeof decode>;
  try {
    packet = decode(message);
  } catch {
    return undefined;
  }
  const end = questionEnd(message);
  // Trailing bytes after the last record mean the counts lied.
  if (decode.bytes !== message.length || end === undefined) return undefined;
  const opts = (packet.additionals ?? []).filter((record): record is OptAnswer => record.type === 'OPT');
  const opt = opts[0];
  if (opts.length > 1 || (opt && opt.name !== '.')) return undefined;
  if (context.transport === 'udp' && !opt && message.length > CLASSIC_UDP_BYTES) return undefined;
  const limit =
    context.transport === 'tcp'
      ? MAX_TCP_BYTES
      : Math.min(Math.max(opt?.udpPayloadSize ?? 0, CLASSIC_UDP_BYTES), EDNS_UDP_BYTES);
  return {
    header,
    question: packet.questions![0]!,
    rawQuestion: message.subarray(HEADER_BYTES, end),
    opt,
    limit,
    recursion: context.forward !== undefined,
  };
}

/**
 * A name the library decodes to exactly the bytes it came as: no label holding a dot or bytes that
 * are not UTF-8. Only such names can be in Berth's zones; the others go upstream untouched.
 */
function isPlainName(query: Query): boolean {
  const encoded = encode({ questions: [query.question] });
  return encoded.subarray(HEADER_BYTES).equals(query.rawQuestion);
}

/** RFC 4343: DNS compares names ignoring ASCII case only. */
function lowerCase(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function authoritativeReply(query: Query, answer: DnsAnswer, log: Logger): Buffer {
  const owner = { asked: query.question.name, lowerCase: lowerCase(query.question.name) };
  try {
    if (answer.kind === 'answer') {
      return reply(query, {
        rcode: Rcode.NOERROR,
        authoritative: true,
        answers: toPacketRecords(answer.answers, owner),
        additionals: toPacketRecords(answer.additionals, owner),
      });
    }
    const rcode = answer.kind === 'nxdomain' ? Rcode.NXDOMAIN : Rcode.NOERROR;
    return reply(query, {
      rcode,
      authoritative: true,
      authorities: toPacketRecords(answer.authority, owner, { negative: true }),
    });
  } catch (error) {
    // A record the library cannot encode (a label over 63 bytes...): the zone's fault, not the client's.
    log.error({ err: error, name: query.question.name }, 'DNS answer could not be encoded');
    return reply(query, { rcode: Rcode.SERVFAIL });
  }
}

interface Sections {
  rcode: number;
  authoritative?: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

/**
 * The reply, fitted to the client's limit: additional records are dropped first (RFC 2181 §9), and
 * if the answer still does not fit it goes out empty with TC set, so that the client asks over TCP.
 */
function reply(query: Query, sections: Sections): Buffer {
  const full = encodeReply(query, sections, 0);
  if (full.length <= query.limit) return full;
  const lean = encodeReply(query, { ...sections, additionals: [] }, 0);
  if (lean.length <= query.limit) return lean;
  return encodeReply(query, { rcode: sections.rcode, authoritative: sections.authoritative ?? false }, Flag.TC);
}

function encodeReply(query: Query, sections: Sections, extraFlags: number): Buffer {
  let flags = replyFlags(query.header.flags, sections.rcode) | (query.header.flags & Flag.CD) | extraFlags;
  if (sections.authoritative) flags |= Flag.AA;
  if (query.recursion) flags |= Flag.RA;
  const additionals = [...(sections.additionals ?? [])];
  if (query.opt) additionals.push(optRecord(query.opt, sections.rcode));
  const packet: Packet = {
    id: query.header.id,
    type: 'response',
    flags,
    answers: sections.answers ?? [],
    authorities: sections.authorities ?? [],
    additionals,
  };
  // The library re-spells a question from its decoded name; splicing the query's own bytes keeps the
  // question exactly as asked (letter case for 0x20-randomizing resolvers, unusual labels).
  const encoded = encode(packet);
  const message = Buffer.concat([encoded.subarray(0, HEADER_BYTES), query.rawQuestion, encoded.subarray(HEADER_BYTES)]);
  message.writeUInt16BE(1, 4);
  return message;
}

/** RFC 6891: our payload size, the extended rcode's high bits, DO copied (RFC 3225); no options. */
function optRecord(asked: OptAnswer, rcode: number): OptAnswer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: EDNS_UDP_BYTES,
    extendedRcode: rcode >> 4,
    ednsVersion: 0,
    flags: asked.flag_do ? DNSSEC_OK : 0,
    flag_do: asked.flag_do,
    options: [],
  };
}

function headerOnly(header: Header, rcode: number): Buffer {
  return encode({ id: header.id, type: 'response', flags: replyFlags(header.flags, rcode) });
}
