import { InvalidNextToken } from './errors.ts';

/** NextToken: where a listing continues (the last key it returned), opaque to the caller. */
export function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ a: after }), 'utf8').toString('base64url');
}

export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof raw.a === 'string') return raw.a;
  } catch {
    // not one of ours
  }
  throw new InvalidNextToken();
}
