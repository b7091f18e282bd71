import { equalsLowerCase, isMethod, isToken, trimmedSlice } from './ascii.ts';

/**
 * A client's request head, parsed the way a strict HTTP/1.1 server does (RFC 9112), in two pure
 * steps: `hasBadHeadByte` checks its bytes (no control character but HTAB in field values, CR and
 * LF only as CRLF), then `parseRequestHead` its text: the request line, header fields with their
 * names as sent, and what frames the body and the connection. Anything ambiguous (two
 * Content-Lengths, even equal ones, Content-Length with Transfer-Encoding, folded lines, a bare CR
 * or LF) is refused, so the proxy and the target can never disagree about where a request ends or
 * what it says. The byte check is one loop over the socket's Buffer, before any string is made.
 */

export interface RequestHead {
  readonly method: string;
  /** The request target as sent (origin-form path plus query, or absolute-form). */
  readonly url: string;
  /** HTTP/1.x minor version: 0 or 1. */
  readonly minor: number;
  /** [name, value, ...]: names as sent, values without surrounding whitespace. */
  readonly rawHeaders: string[];
  /** The body's length; -1 for a chunked body. */
  readonly contentLength: number;
  /** The client lets the connection carry another request after this one. */
  readonly keepAlive: boolean;
  /** The protocol asked for by `Connection: upgrade` + `Upgrade`, if any. */
  readonly upgrade: string | undefined;
  readonly expectContinue: boolean;
  readonly hasHost: boolean;
}

export interface HeadError {
  readonly status: 400 | 405 | 501 | 505;
  readonly message: string;
}

const VERSION = /^HTTP\/(\d)\.(\d)$/;

interface Framing {
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  connection: string;
  upgrade: string | undefined;
  expect: string | undefined;
  hosts: number;
}

function refuse(status: HeadError['status'], message: string): HeadError {
  return { status, message };
}

/** One header field into `raw` and `framing`; a message when the line is malformed. */
function addField(line: string, raw: string[], framing: Framing): string | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return 'Bad header line';
  if (!isToken(line, 0, colon)) return 'Bad header name';
  const name = line.slice(0, colon);
  const value = trimmedSlice(line, colon + 1, line.length);
  raw.push(name, value);
  switch (name.length) {
    case 4:
      if (equalsLowerCase(name, 'host')) framing.hosts++;
      break;
    case 6:
      if (equalsLowerCase(name, 'expect')) framing.expect = value.toLowerCase();
      break;
    case 7:
      if (equalsLowerCase(name, 'upgrade')) framing.upgrade = value;
      break;
    case 10:
      if (equalsLowerCase(name, 'connection')) framing.connection += `,${value.toLowerCase()}`;
      break;
    case 14:
      if (!equalsLowerCase(name, 'content-length')) break;
      if (framing.contentLength !== undefined) return 'More than one Content-Length';
      framing.contentLength = value;
      break;
    case 17:
      if (!equalsLowerCase(name, 'transfer-encoding')) break;
      framing.transferEncoding =
        framing.transferEncoding === undefined
          ? value.toLowerCase()
          : `${framing.transferEncoding},${value.toLowerCase()}`;
      break;
  }
  return undefined;
}

function hasToken(list: string, token: string): boolean {
  if (!list.includes(token)) return false;
  return list.split(',').some((item) => item.trim() === token);
}

/** The body's length from the framing fields, or an error. */
function bodyLength(framing: Framing): number | HeadError {
  if (framing.transferEncoding !== undefined) {
    if (framing.contentLength !== undefined) return refuse(400, 'Content-Length with Transfer-Encoding');
    const codings = framing.transferEncoding.split(',').map((coding) => coding.trim());
    if (codings.at(-1) !== 'chunked') return refuse(400, 'The last transfer coding is not chunked');
    if (codings.some((coding) => coding !== 'chunked' && coding !== 'identity')) {
      return refuse(501, `Transfer-Encoding '${framing.transferEncoding}' is not supported`);
    }
    return -1;
  }
  if (framing.contentLength === undefined) return 0;
  return decimal(framing.contentLength) ?? refuse(400, 'Bad Content-Length');
}

/** 1 to 15 decimal digits as a number (below 2^53, so exact); undefined for anything else. */
function decimal(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  let value = 0;
  for (let index = 0; index < text.length; index++) {
    const digit = text.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

function parseRequestLine(line: string): { method: string; url: string; minor: number } | HeadError {
  const first = line.indexOf(' ');
  const second = first === -1 ? -1 : line.indexOf(' ', first + 1);
  if (second <= first + 1 || !isMethod(line, 0, first)) {
    return refuse(400, 'Bad request line');
  }
  const method = line.slice(0, first);
  const url = line.slice(first + 1, second);
  const versionText = line.slice(second + 1);
  let minor = 1;
  if (versionText !== 'HTTP/1.1') {
    const version = VERSION.exec(versionText);
    if (!version) return refuse(400, 'Bad HTTP version');
    if (version[1] !== '1') return refuse(505, `HTTP/${version[1]}.${version[2]} is not supported`);
    minor = version[2] === '0' ? 0 : 1;
  }
  // origin-form, or absolute-form; '*' only for OPTIONS. No authority-form: ELB refuses CONNECT with 400.
  if (url.charCodeAt(0) !== 0x2f && !(url === '*' && method === 'OPTIONS') && !isAbsoluteForm(url)) {
    return refuse(400, method === 'CONNECT' ? 'CONNECT is not supported' : 'Bad request target');
  }
  if (method.length === 5 && method === 'TRACE') return refuse(405, 'TRACE is not supported');
  return { method, url, minor };
}

function isAbsoluteForm(url: string): boolean {
  const scheme = url.indexOf('://');
  return (
    (scheme === 4 && equalsLowerCase(url.slice(0, 4), 'http')) ||
    (scheme === 5 && equalsLowerCase(url.slice(0, 5), 'https'))
  );
}

/**
 * Parses a request head: `text` is everything before the blank line that ends it, its bytes
 * already accepted by `hasBadHeadByte`.
 */
export function parseRequestHead(text: string): RequestHead | HeadError {
  const lineEnd = text.indexOf('\r\n');
  const requestLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  const line = parseRequestLine(requestLine);
  if ('status' in line) return line;
  const framing: Framing = {
    contentLength: undefined,
    transferEncoding: undefined,
    connection: '',
    upgrade: undefined,
    expect: undefined,
    hosts: 0,
  };
  const rawHeaders: string[] = [];
  let start = lineEnd === -1 ? text.length : lineEnd + 2;
  while (start < text.length) {
    const end = text.indexOf('\r\n', start);
    const line = end === -1 ? text.slice(start) : text.slice(start, end);
    if (line.startsWith(' ') || line.startsWith('\t')) return refuse(400, 'Folded header lines are not allowed');
    const problem = addField(line, rawHeaders, framing);
    if (problem !== undefined) return refuse(400, problem);
    start = end === -1 ? text.length : end + 2;
  }
  const minor = line.minor;
  if (minor === 1 && framing.hosts !== 1) return refuse(400, 'HTTP/1.1 needs exactly one Host header');
  const contentLength = bodyLength(framing);
  if (typeof contentLength !== 'number') return contentLength;
  const connection = framing.connection;
  const keepAlive = minor === 1 ? !hasToken(connection, 'close') : hasToken(connection, 'keep-alive');
  return {
    method: line.method,
    url: line.url,
    minor,
    rawHeaders,
    contentLength,
    keepAlive,
    upgrade: hasToken(connection, 'upgrade') ? framing.upgrade : undefined,
    expectContinue: framing.expect === '100-continue' && minor === 1,
    hasHost: framing.hosts > 0,
  };
}

export function isHeadError(result: RequestHead | HeadError): result is HeadError {
  return 'status' in result;
}

/**
 * Whether buffer[from, end) breaks the byte rules of the head that starts at `start`: a control
 * character or DEL (HTAB only after the request line), a CR not followed by LF, an LF not preceded
 * by CR. Bytes before `from` were checked by an earlier call (a head still arriving); a CR that is
 * the buffer's last byte waits for its LF.
 */
export function hasBadHeadByte(buffer: Buffer, start: number, from: number, end: number): boolean {
  let inRequestLine = true;
  if (from > start) {
    if (from < end && buffer[from - 1] === 0x0d && buffer[from] !== 0x0a) return true; // the CR that waited
    const lineEnd = buffer.indexOf(0x0a, start);
    inRequestLine = lineEnd === -1 || lineEnd >= from;
  }
  for (let index = from; index < end; index++) {
    const byte = buffer[index]!;
    if (byte >= 0x20 && byte !== 0x7f) continue;
    if (byte === 0x0d) {
      if (index + 1 === buffer.length) break; // its LF has not arrived yet
      if (buffer[index + 1] !== 0x0a) return true;
      index++;
      inRequestLine = false;
    } else if (byte === 0x0a) {
      if (index === start || buffer[index - 1] !== 0x0d) return true; // (a CR before `from` pairs with it)
      inRequestLine = false;
    } else if (byte !== 0x09 || inRequestLine) return true;
  }
  return false;
}

/**
 * Why the start of a head that has not fully arrived already cannot be HTTP, if it cannot: a byte
 * `hasBadHeadByte` refuses (a TLS ClientHello's 0x16, NUL, bare-LF line endings) or a complete
 * request line that does not parse. `buffer[start]` is the head's first byte; bytes before `from`
 * were looked at by an earlier call. Such a client is answered at once instead of waiting for a
 * blank line that will never come.
 */
export function headStartError(buffer: Buffer, start: number, from: number): HeadError | undefined {
  const first = Math.max(start, from);
  if (hasBadHeadByte(buffer, start, first, buffer.length)) return refuse(400, 'Not an HTTP request');
  const lineEnd = buffer.indexOf(0x0a, start);
  if (lineEnd === -1 || lineEnd < first) return undefined; // not complete yet, or looked at before
  const line = parseRequestLine(buffer.toString('latin1', start, lineEnd - 1));
  return 'status' in line ? line : undefined;
}
