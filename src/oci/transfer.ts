import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ByteRange, Digest } from '../blobs/index.ts';
import { RegistryError, type Registry } from '../ecr/index.ts';
import { sendRange } from '../http/index.ts';

/* Moving bytes between sockets and the registry: blob downloads and bounded manifest uploads. */

/**
 * Streams a blob's bytes (the range, inclusive) to the response and ends it, through two pooled
 * 64 KiB buffers (sendRange). A client that goes away mid-body is no failure of ours: the blob is
 * closed and this resolves.
 */
export async function sendBlob(
  registry: Registry,
  digest: Digest,
  response: ServerResponse,
  range: ByteRange,
): Promise<void> {
  const reader = await registry.openBlob(digest);
  try {
    await sendRange(response, reader, range);
  } finally {
    await reader.close();
  }
}

export async function readLimited(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > limit) throw tooLarge(declared, limit);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) throw tooLarge(bytes, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes);
}

function tooLarge(bytes: number, limit: number): RegistryError {
  return new RegistryError('MANIFEST_TOO_LARGE', `manifest of ${bytes} bytes exceeds the ${limit}-byte limit`);
}
