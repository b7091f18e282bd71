import { InvalidParameterException } from './errors.ts';

/** nextToken is opaque to callers: the key of the last item returned, base64url JSON. */
export function encodeNextToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodeNextToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw new InvalidParameterException('Invalid nextToken: it must be a token returned by a previous call.');
}

/** ECS list calls accept maxResults from 1 to 100 and default to 100. */
export function pageSize(maxResults: number | undefined, max = 100): number {
  if (maxResults === undefined) return max;
  if (maxResults < 1 || maxResults > max) {
    throw new InvalidParameterException(`maxResults must be between 1 and ${max}.`);
  }
  return maxResults;
}
