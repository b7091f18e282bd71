import type { Digest } from '../blobs/index.ts';

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; anything else is not a digest Berth accepts. */
export function parseDigest(text: string): Digest | undefined {
  const match = /^(sha256|sha512):([a-f0-9]+)$/.exec(text);
  if (!match) return undefined;
  const algorithm = match[1] as Digest['algorithm'];
  const hex = match[2]!;
  return hex.length === (algorithm === 'sha256' ? 64 : 128) ? { algorithm, hex } : undefined;
}

export function formatDigest(digest: Digest): string {
  return `${digest.algorithm}:${digest.hex}`;
}
