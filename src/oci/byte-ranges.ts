import type { ContentRange } from '../ecr/index.ts';

/** A PATCH Content-Range (`<start>-<end>`, as OCI clients send it, or with a `bytes ` prefix). */
export function parseContentRange(header: string | undefined): ContentRange | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) return 'invalid';
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end < start ? 'invalid' : { start, end };
}
