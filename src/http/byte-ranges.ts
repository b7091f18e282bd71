import type { ByteRange } from '../blobs/index.ts';

/**
 * A GET (or HEAD) Range header against a body of `size` bytes, as the registry and S3 both read
 * it: one range (`bytes=a-b`, `bytes=a-`, `bytes=-n`, an end past the body clamped to it) gives that
 * range; a range that starts past the end, an empty suffix (`bytes=-0`) or any range of an empty
 * body gives 'unsatisfiable' (416); no header, a malformed one or several ranges give undefined:
 * the whole body (RFC 9110 lets a server ignore Range, and S3 answers several ranges so).
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
