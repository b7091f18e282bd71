import { InvalidArgument } from './errors.ts';

/*
 * ListObjectsV2's pure parts. Keys are listed in UTF-8 binary order (the store's order); with a
 * delimiter, keys that share the part of their name up to the first delimiter after the prefix
 * roll up into one CommonPrefixes entry, which counts once against max-keys.
 */

/** The CommonPrefixes entry `key` rolls up into, or undefined when it is listed itself. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

/** A position after every key that starts with `prefix` (U+10FFFF sorts after every other character in UTF-8). */
export function pastEveryKeyUnder(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/** Continuation tokens are opaque to clients: the position to list after, base64url-encoded. */
export function encodeContinuationToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Falls through to the error S3 answers for a token it did not issue.
  }
  throw new InvalidArgument('The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
}

/** max-keys: an integer from 0; S3 caps what it returns at 1000. */
export function parseMaxKeys(value: string | undefined): number {
  if (value === undefined || value === '') return 1000;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgument('Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: value,
    });
  }
  return Math.min(n, 1000);
}

/** The later of two listing positions (undefined: the start). */
export function laterPosition(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}
