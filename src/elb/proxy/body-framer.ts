import { isFieldValue, isToken } from './ascii.ts';

/**
 * Where a request body ends, for a proxy that passes the body on as it came: a Content-Length
 * counts bytes; a chunked body is walked (sizes, data, CRLFs, trailer fields) without decoding it.
 * Pure: `scan` says how many bytes of a chunk belong to the body and throws on malformed framing.
 * As strict as the head (request-head.ts), since the target reads the same bytes: a chunk-size
 * line is hex digits, then nothing or `;` and extensions (RFC 9112 §7.1.1), ended by CRLF; a
 * trailer field is a well-formed field that neither frames, routes nor rewrites the request.
 */

/** Bounds one chunk-size or trailer line. */
const MAX_LINE_BYTES = 16 * 1024;
/** 12 hex digits: up to 2^48 - 1 bytes in a chunk, exact as a number; more digits are refused. */
const MAX_SIZE_DIGITS = 12;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Fields a trailer may not carry: framing, routing, connection management, request modifiers,
 * content metadata and credentials (RFC 9110 §6.5.1), and the X-Forwarded-* fields the listener
 * writes itself. A target that merged such a trailer would read a request the proxy did not check.
 */
const FORBIDDEN_TRAILERS = new Set([
  'content-length',
  'transfer-encoding',
  'trailer',
  'te',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'expect',
  'content-type',
  'content-encoding',
  'content-range',
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-port',
]);

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** A chunk-size line's size (without its CRLF); -1 when the line is malformed. */
export function chunkSize(line: string): number {
  let size = 0;
  let index = 0;
  for (; index < line.length; index++) {
    const digit = hexValue(line.charCodeAt(index));
    if (digit === -1) break;
    if (index === MAX_SIZE_DIGITS) return -1;
    size = size * 16 + digit;
  }
  if (index === 0) return -1; // no digits, or a leading space
  if (index === line.length) return size;
  // Whitespace only before an extension (BWS); trailing whitespace alone is refused.
  let semicolon = index;
  while (semicolon < line.length && (line.charCodeAt(semicolon) === 0x20 || line.charCodeAt(semicolon) === 0x09)) {
    semicolon++;
  }
  if (line.charCodeAt(semicolon) !== 0x3b || !isFieldValue(line, semicolon + 1, line.length)) return -1;
  return size;
}

/** Why a trailer line may not be passed on; undefined when it may. */
export function trailerProblem(line: string): string | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0 || !isToken(line, 0, colon)) return 'Bad trailer field';
  if (!isFieldValue(line, colon + 1, line.length)) return 'Bad character in a trailer field';
  const name = line.slice(0, colon);
  if (FORBIDDEN_TRAILERS.has(name.toLowerCase())) return `'${name}' is not allowed in a trailer`;
  return undefined;
}

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class BodyFramer {
  #state: State;
  #remaining: number;
  readonly #chunked: boolean;
  /** Bytes of the current size or trailer line seen so far (lines may be split across chunks). */
  #line = '';

  /** `contentLength`: the body's length, or -1 for a chunked body. */
  constructor(contentLength: number) {
    this.#chunked = contentLength === -1;
    this.#remaining = this.#chunked ? 0 : contentLength;
    this.#state = this.#chunked ? 'size' : contentLength === 0 ? 'done' : 'data';
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** How many leading bytes of `chunk` belong to the body; the rest is the next request. */
  scan(chunk: Buffer): number {
    if (!this.#chunked) {
      const take = Math.min(this.#remaining, chunk.length);
      this.#remaining -= take;
      if (this.#remaining === 0) this.#state = 'done';
      return take;
    }
    let offset = 0;
    while (offset < chunk.length && this.#state !== 'done') offset = this.#step(chunk, offset);
    return offset;
  }

  #step(chunk: Buffer, offset: number): number {
    switch (this.#state) {
      case 'data': {
        const take = Math.min(this.#remaining, chunk.length - offset);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-cr';
        return offset + take;
      }
      case 'data-cr':
        if (chunk[offset] !== CR) throw new Error('Missing CRLF after a chunk');
        this.#state = 'data-lf';
        return offset + 1;
      case 'data-lf':
        if (chunk[offset] !== LF) throw new Error('Missing CRLF after a chunk');
        this.#state = 'size';
        return offset + 1;
      default:
        return this.#lineStep(chunk, offset);
    }
  }

  /** The size and trailer states read whole lines, each ended by CRLF. */
  #lineStep(chunk: Buffer, offset: number): number {
    const end = chunk.indexOf(LF, offset);
    this.#line += chunk.toString('latin1', offset, end === -1 ? chunk.length : end);
    if (this.#line.length > MAX_LINE_BYTES) throw new Error('Chunk line too long');
    if (end === -1) return chunk.length;
    const text = this.#line;
    this.#line = '';
    if (text.charCodeAt(text.length - 1) !== CR) throw new Error('A chunk line ends with a bare LF');
    const line = text.slice(0, -1);
    if (this.#state === 'trailer') {
      if (line === '') this.#state = 'done';
      else {
        const problem = trailerProblem(line);
        if (problem !== undefined) throw new Error(problem);
      }
    } else {
      const size = chunkSize(line);
      if (size === -1) throw new Error(`Bad chunk size line '${line}'`);
      this.#remaining = size;
      this.#state = size === 0 ? 'trailer' : 'data';
    }
    return end + 1;
  }
}
