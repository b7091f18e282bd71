import { equalsLowerCase, trimmedSlice } from './ascii.ts';

/**
 * A client's request head, parsed the way a strict HTTP/1.1 server does (RFC 9112): the request
 * line, header fields with their names as sent, and what frames the body and the connection. Pure:
 * text in, a head or the status to refuse it with out. Anything ambiguous (two Content-Lengths,
 * Content-Length with Transfer-Encoding, folded lines) is refused, so the proxy and the target can
 * never disagree about where a request ends.
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
  readonly status: 400 | 501 | 505;
  readonly message: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
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
  if (colon <= 0) return `Bad header line '${line}'`;
  const name = line.slice(0, colon);
  if (!TOKEN.test(name)) return `Bad header name '${name}'`;
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
      if (framing.contentLength !== undefined && framing.contentLength !== value) return 'Conflicting Content-Length';
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
  if (!/^\d{1,15}$/.test(framing.contentLength)) return refuse(400, 'Bad Content-Length');
  return Number(framing.contentLength);
}

function parseRequestLine(line: string): { method: string; url: string; minor: number } | HeadError {
  const first = line.indexOf(' ');
  const second = first === -1 ? -1 : line.indexOf(' ', first + 1);
  const method = line.slice(0, first);
  if (second <= first + 1 || line.includes(' ', second + 1) || !TOKEN.test(method)) {
    return refuse(400, 'Bad request line');
  }
  const url = line.slice(first + 1, second);
  const versionText = line.slice(second + 1);
  if (versionText === 'HTTP/1.1') return { method, url, minor: 1 };
  const version = VERSION.exec(versionText);
  if (!version) return refuse(400, 'Bad HTTP version');
  if (version[1] !== '1') return refuse(505, `HTTP/${version[1]}.${version[2]} is not supported`);
  return { method, url, minor: version[2] === '0' ? 0 : 1 };
}

/** Parses a request head: `text` is everything before the blank line that ends it. */
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
