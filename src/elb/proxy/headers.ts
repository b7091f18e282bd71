import { randomFillSync } from 'node:crypto';
import { equalsLowerCase } from './ascii.ts';
import { plainAddress } from '../../shared/ip-address.ts';

/**
 * Header rewriting between client and target, on raw header lists ([name, value, ...]) so a
 * request copies each header once and keeps the client's spelling and order.
 */

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the non-standard ones proxies also drop (`lower`: lower-case). */
function isHopByHop(lower: string): boolean {
  switch (lower) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'proxy-authenticate':
    case 'proxy-authorization':
    case 'te':
    case 'trailer':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return false;
  }
}

/**
 * Lengths of the names this module looks at (hop-by-hop, Host, X-Forwarded-*, X-Amzn-Trace-Id), as
 * bits: a name of any other length is passed on without being lower-cased.
 */
const WATCHED_LENGTHS = [2, 4, 7, 10, 15, 16, 17, 18, 19].reduce((bits, length) => bits | (1 << length), 0);

function isWatchedLength(length: number): boolean {
  return length < 32 && ((WATCHED_LENGTHS >>> length) & 1) === 1;
}

/** The fields the Connection header names, besides the usual keep-alive/close/upgrade tokens. */
function connectionListed(raw: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    if (!equalsLowerCase(raw[index]!, 'connection')) continue;
    const value = raw[index + 1]!;
    if (equalsLowerCase(value, 'keep-alive') || equalsLowerCase(value, 'close')) continue; // the usual one
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name === '' || name === 'close' || name === 'keep-alive' || name === 'upgrade') continue;
      (listed ??= new Set()).add(name);
    }
  }
  return listed;
}

/** The client's address as ALB reports it: an IPv4-mapped IPv6 address as plain IPv4. */
export function clientIp(remoteAddress: string | undefined): string {
  return remoteAddress === undefined ? '' : plainAddress(remoteAddress);
}

const randomPool = Buffer.alloc(12 * 512);
/** randomPool in hex, 24 characters per id, refilled when used up. */
let randomHex = '';
let randomOffset = 0;
let prefixSecond = -1;
let prefix = '';

/** An X-Amzn-Trace-Id root as ALB writes it: Root=1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>. */
export function newTraceId(nowMs: number): string {
  if (randomOffset === randomHex.length) {
    randomFillSync(randomPool);
    randomHex = randomPool.toString('hex');
    randomOffset = 0;
  }
  const random = randomHex.slice(randomOffset, randomOffset + 24);
  randomOffset += 24;
  const second = Math.floor(nowMs / 1000);
  if (second !== prefixSecond) {
    prefixSecond = second;
    prefix = `Root=1-${second.toString(16).padStart(8, '0')}-`;
  }
  return prefix + random;
}

export interface ForwardedContext {
  readonly clientIp: string;
  readonly listenerPort: number;
  /** X-Forwarded-Proto: 'https' on a TLS connection; 'http' when absent. */
  readonly proto?: 'http' | 'https';
  readonly nowMs: number;
  /** The Host to send when the client sent none (the target's address:port). */
  readonly defaultHost?: string;
  /** For an Upgrade request: the protocol asked for, kept with Connection: Upgrade. */
  readonly upgrade?: string | undefined;
}

/**
 * The request's headers as the target sees them: hop-by-hop fields dropped, X-Forwarded-For
 * appended to, X-Forwarded-Proto and -Port set, an X-Amzn-Trace-Id added when the client sent none.
 */
export function requestHeaders(raw: readonly string[], context: ForwardedContext): string[] {
  const listed = connectionListed(raw);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let hasTraceId = false;
  let hasHost = false;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    if (listed === undefined && !isWatchedLength(name.length)) {
      out.push(name, raw[index + 1]!);
      continue;
    }
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || listed?.has(lower)) continue;
    if (lower === 'host') hasHost = true;
    else if (lower.startsWith('x-')) {
      if (lower === 'x-forwarded-for') {
        forwardedFor = forwardedFor === undefined ? raw[index + 1]! : `${forwardedFor}, ${raw[index + 1]!}`;
        continue;
      }
      if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-port') continue;
      if (lower === 'x-amzn-trace-id') hasTraceId = true;
    }
    out.push(name, raw[index + 1]!);
  }
  out.push(
    'X-Forwarded-For',
    forwardedFor === undefined ? context.clientIp : `${forwardedFor}, ${context.clientIp}`,
    'X-Forwarded-Proto',
    context.proto ?? 'http',
    'X-Forwarded-Port',
    String(context.listenerPort),
  );
  if (!hasTraceId) out.push('X-Amzn-Trace-Id', newTraceId(context.nowMs));
  // An HTTP/1.0 client may send no Host; HTTP/1.1 to the target requires one.
  if (!hasHost && context.defaultHost !== undefined) out.push('Host', context.defaultHost);
  if (context.upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', context.upgrade);
  return out;
}

/** The target's response headers without hop-by-hop fields (the client connection adds its own framing). */
export function responseHeaders(raw: readonly string[], keepUpgrade = false): string[] {
  const listed = connectionListed(raw);
  const out: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    if (listed === undefined && !isWatchedLength(name.length)) {
      out.push(name, raw[index + 1]!);
      continue;
    }
    const lower = name.toLowerCase();
    if (isHopByHop(lower) && !(keepUpgrade && (lower === 'upgrade' || lower === 'connection'))) continue;
    if (listed?.has(lower)) continue;
    out.push(name, raw[index + 1]!);
  }
  return out;
}
