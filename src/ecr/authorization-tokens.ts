import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The token key: a KeyObject avoids Node 24's per-call cost of preparing a Buffer HMAC key. */
export type TokenKey = KeyObject | Uint8Array;

/** ECR's tokens are valid for 12 hours. */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface TokenClaims {
  readonly accessKeyId: string;
  readonly expiresAt: Date;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired'; readonly expiresAt?: Date };

/**
 * Registry passwords, as GetAuthorizationToken hands them out: `<payload>.<mac>`, both base64url
 * (so never a ':'), the payload naming the access key that asked and the expiry, the MAC an
 * HMAC-SHA256 under the server's token key. The registry checks the MAC, the expiry and that the
 * access key still exists, on every request.
 */
export function issuePassword(key: TokenKey, claims: TokenClaims): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, k: claims.accessKeyId, e: Math.floor(claims.expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

export function checkPassword(key: TokenKey, password: string, now: Date): TokenCheck {
  const dot = password.indexOf('.');
  if (dot <= 0) return { ok: false, reason: 'malformed' };
  const payload = password.slice(0, dot);
  const given = Buffer.from(password.slice(dot + 1));
  const expected = Buffer.from(mac(key, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let parsed: { k?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof parsed.k !== 'string' || typeof parsed.e !== 'number') return { ok: false, reason: 'malformed' };
  const expiresAt = new Date(parsed.e * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired', expiresAt };
  return { ok: true, claims: { accessKeyId: parsed.k, expiresAt } };
}

function mac(key: TokenKey, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
