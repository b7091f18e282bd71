import type { ByteRange } from '../blobs/index.ts';
import type { ContentRange } from '../ecr/index.ts';

/**
 * A GET Range header (one range: `bytes=a-b`, `bytes=a-`, `bytes=-n`) against a blob of `size`
 * bytes: the range, 'unsatisfiable', or undefined for no (or an ignorable) header.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined; // malformed or multi-range: serve it all
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** A PATCH Content-Range (`<start>-<end>`, as OCI clients send it, or with a `bytes ` prefix). */
export function parseContentRange(header: string | undefined): ContentRange | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) return 'invalid';
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end < start ? 'invalid' : { start, end };
}
