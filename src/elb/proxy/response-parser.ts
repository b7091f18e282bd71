import { equalsLowerCase, headAt, trimmedSlice } from './ascii.ts';

/**
 * An incremental HTTP/1.1 response parser for the proxy's own upstream connections: the head, then
 * the body by Content-Length, chunked coding (decoded; trailers dropped) or until the connection
 * closes. Interim 1xx responses are skipped. Pure: it only calls its sink.
 */

/** How the response's body is delimited: none (HEAD, 204, 304, 101), by length, chunked, or by close. */
export type ResponseFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseSink {
  head(status: number, reason: string, rawHeaders: string[], framing: ResponseFraming): void;
  /** Body bytes: only valid during the call (the connection's read buffer is reused); copy to keep. */
  body(chunk: Buffer): void;
  /** The response is complete; `reusable` says whether the connection may carry another request. */
  end(reusable: boolean): void;
  /** Upgrade mode only: the target switched protocols; `rest` is what followed the 101 head. */
  upgraded?(rest: Buffer): void;
}

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = 0x0a;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'until-close' | 'done';

interface ParsedHead {
  readonly minor: string;
  readonly code: number;
  readonly reason: string;
  readonly headers: string[];
  readonly length: number | undefined;
  readonly chunked: boolean;
  readonly connection: string;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

/** The status line and header fields of a head (`text` ends before its blank line). */
function parseHead(text: string): ParsedHead {
  const lineEnd = text.indexOf('\r\n');
  const statusLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new Error(`Bad status line '${statusLine}'`);
  const headers: string[] = [];
  let length: number | undefined;
  let chunked = false;
  let connection = '';
  let start = lineEnd === -1 ? text.length : lineEnd + 2;
  while (start < text.length) {
    const end = text.indexOf('\r\n', start);
    const line = end === -1 ? text.slice(start) : text.slice(start, end);
    start = end === -1 ? text.length : end + 2;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`Bad header line '${line}'`);
    const name = line.slice(0, colon);
    const value = trimmedSlice(line, colon + 1, line.length);
    if (equalsLowerCase(name, 'content-length')) length = Number(value);
    else if (equalsLowerCase(name, 'transfer-encoding')) chunked = /chunked\s*$/i.test(value);
    else if (equalsLowerCase(name, 'connection')) connection = value.toLowerCase();
    headers.push(name, value);
  }
  return { minor: status[1]!, code: Number(status[2]), reason: status[3] ?? '', headers, length, chunked, connection };
}

export class ResponseParser {
  #state: State = 'head';
  #pending: Buffer | undefined;
  #remaining = 0;
  #keepAlive = true;
  #sink: ResponseSink;
  #bodiless: boolean;
  #upgrade: boolean;

  /** `bodiless`: the request was HEAD, so no response carries a body. */
  constructor(sink: ResponseSink, bodiless: boolean) {
    this.#sink = sink;
    this.#bodiless = bodiless;
    this.#upgrade = false;
  }

  /**
   * Ready for the next response on the same connection. `upgrade`: the request asked to switch
   * protocols, so a 101 ends the parse (then `upgraded`) instead of being skipped.
   */
  reset(sink: ResponseSink, bodiless: boolean, upgrade = false): void {
    this.#sink = sink;
    this.#bodiless = bodiless;
    this.#upgrade = upgrade;
    this.#state = 'head';
    this.#pending = undefined;
    this.#remaining = 0;
    this.#keepAlive = true;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Feeds bytes; throws on a malformed response. Bytes after the end make the connection unusable. */
  feed(chunk: Buffer): void {
    let data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    while (data.length > 0) {
      if (this.#state === 'done') throw new Error('Bytes after the end of the response');
      data = this.#step(data);
    }
  }

  /** The connection closed: ends a close-delimited body, else it is an error. */
  close(): void {
    if (this.#state !== 'until-close') throw new Error('The connection closed before the response ended');
    this.#finish(false);
  }

  #step(data: Buffer): Buffer {
    switch (this.#state) {
      case 'head':
        return this.#head(data);
      case 'length': {
        const take = Math.min(this.#remaining, data.length);
        this.#sink.body(data.subarray(0, take));
        this.#remaining -= take;
        if (this.#remaining === 0) this.#finish(this.#keepAlive);
        return data.subarray(take);
      }
      case 'until-close':
        this.#sink.body(data);
        return data.subarray(data.length);
      case 'chunk-data': {
        const take = Math.min(this.#remaining, data.length);
        this.#sink.body(data.subarray(0, take));
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'chunk-crlf';
        return data.subarray(take);
      }
      default:
        return this.#line(data);
    }
  }

  /** chunk-size, chunk-crlf and trailer work line by line. */
  #line(data: Buffer): Buffer {
    const end = data.indexOf(CRLF);
    if (end === -1) {
      if (data.length > MAX_HEAD_BYTES) throw new Error('Chunk line too long');
      this.#pending = Buffer.from(data); // `data` may be a reused read buffer
      return data.subarray(data.length);
    }
    const line = data.toString('latin1', 0, end).trimEnd();
    const rest = data.subarray(end + 1);
    if (this.#state === 'chunk-crlf') {
      if (line !== '') throw new Error('Missing CRLF after a chunk');
      this.#state = 'chunk-size';
    } else if (this.#state === 'chunk-size') {
      const size = parseInt(line.split(';')[0]!, 16);
      if (!Number.isFinite(size) || size < 0) throw new Error(`Bad chunk size '${line}'`);
      this.#remaining = size;
      this.#state = size === 0 ? 'trailer' : 'chunk-data';
    } else if (line === '') {
      this.#finish(this.#keepAlive); // the empty line after the (dropped) trailers
    }
    return rest;
  }

  #head(data: Buffer): Buffer {
    const head = headAt(data, 0);
    if (head === undefined) {
      if (data.length > MAX_HEAD_BYTES) throw new Error('Response head too large');
      this.#pending = Buffer.from(data); // `data` may be a reused read buffer
      return data.subarray(data.length);
    }
    const { minor, code, reason, headers, length, chunked, connection } = parseHead(head.text);
    const rest = data.subarray(head.end + 4);
    if (code === 101 && this.#upgrade) {
      this.#state = 'done';
      this.#sink.head(code, reason, headers, 'none');
      this.#sink.upgraded?.(rest);
      return rest.subarray(rest.length);
    }
    if (code >= 100 && code < 200) return rest; // interim (100 Continue, 103 Early Hints): wait for the real one
    this.#keepAlive = minor === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    if (this.#bodiless || code === 204 || code === 304) {
      this.#sink.head(code, reason, headers, 'none');
      this.#finish(this.#keepAlive);
    } else if (chunked) {
      this.#state = 'chunk-size';
      this.#sink.head(code, reason, headers, 'chunked');
    } else if (length !== undefined) {
      if (!Number.isSafeInteger(length) || length < 0) throw new Error('Bad Content-Length');
      this.#remaining = length;
      this.#state = 'length';
      this.#sink.head(code, reason, headers, 'length');
      if (length === 0) this.#finish(this.#keepAlive);
    } else {
      this.#state = 'until-close';
      this.#sink.head(code, reason, headers, 'close');
    }
    return rest;
  }

  #finish(reusable: boolean): void {
    this.#state = 'done';
    this.#sink.end(reusable);
  }
}
