import { InvalidInput } from './errors.ts';

/* NextToken: where a listing stopped, as base64url JSON; a token that does not decode is refused. */

export const DEFAULT_PAGE = 100;

export function encodeToken(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeToken(token: string | undefined): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw new InvalidInput('The NextToken is not valid: pass the NextToken of the previous response unchanged.');
}

/** The page of `items` (sorted by `key`) after the token's key, and the token for the next one. */
export function pageByKey<T>(
  items: readonly T[],
  key: (item: T) => string,
  page: { NextToken?: string; MaxResults?: number },
): { items: T[]; NextToken?: string } {
  const after = decodeToken(page.NextToken)?.after;
  const start = typeof after === 'string' ? items.findIndex((item) => key(item) > after) : 0;
  const from = start === -1 ? items.length : start;
  const limit = page.MaxResults ?? DEFAULT_PAGE;
  const slice = items.slice(from, from + limit);
  const more = from + limit < items.length;
  return { items: slice, ...(more ? { NextToken: encodeToken({ after: key(slice[slice.length - 1]!) }) } : {}) };
}
