/**
 * The few fixed positions of a DNS message (RFC 1035 §4.1) that the server reads before, or
 * instead of, decoding the whole message with dns-packet: the header's flags and counts, and where
 * the question ends (forwarded answers are checked against the question's bytes, not decoded).
 */

export const HEADER_BYTES = 12;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (RFC 6891): the low 4 bits go in the header, the rest in the OPT record. */
  BADVERS: 16,
} as const;

export const Flag = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, CD: 0x0010 } as const;
const OPCODE_MASK = 0x7800;

export interface Header {
  id: number;
  flags: number;
  opcode: number;
  questions: number;
  answers: number;
  authorities: number;
  additionals: number;
}

/** undefined: shorter than a header. */
export function readHeader(message: Buffer): Header | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  const flags = message.readUInt16BE(2);
  return {
    id: message.readUInt16BE(0),
    flags,
    opcode: (flags & OPCODE_MASK) >> 11,
    questions: message.readUInt16BE(4),
    answers: message.readUInt16BE(6),
    authorities: message.readUInt16BE(8),
    additionals: message.readUInt16BE(10),
  };
}

/** The flags of a reply: QR, the query's opcode and RD, and `rcode`'s low 4 bits. */
export function replyFlags(queryFlags: number, rcode: number): number {
  return Flag.QR | (queryFlags & (OPCODE_MASK | Flag.RD)) | (rcode & 0xf);
}

export function rcodeOf(message: Buffer): number {
  return message.readUInt16BE(2) & 0xf;
}

/**
 * The offset just past the first question: its name (labels ending in a zero byte or a 2-byte
 * compression pointer), then type and class. undefined when the message ends first.
 */
export function questionEnd(message: Buffer): number | undefined {
  let offset = HEADER_BYTES;
  while (offset < message.length) {
    const length = message[offset]!;
    if (length === 0) return fits(message, offset + 5);
    if ((length & 0xc0) === 0xc0) return fits(message, offset + 6);
    if ((length & 0xc0) !== 0) return undefined;
    offset += 1 + length;
  }
  return undefined;
}

function fits(message: Buffer, end: number): number | undefined {
  return end <= message.length ? end : undefined;
}
