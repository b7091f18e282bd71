import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlobReader, ByteRange, Digest } from '../blobs/index.ts';
import { RegistryError, type Registry } from '../ecr/index.ts';
import { sendRange } from '../http/index.ts';

/* Moving bytes between sockets and the registry: blob downloads and bounded manifest uploads. */

/**
 * Answers a blob GET with a 307 to where the blob store says a client may fetch it itself (an object
 * store's presigned URL), as ECR does; false when the store has no such place (HEAD never redirects).
 */
export async function redirectToBlob(
  registry: Registry,
  digest: Digest,
  response: ServerResponse,
  headers: Record<string, string>,
): Promise<boolean> {
  const location = await registry.blobRedirect(digest);
  if (location === undefined) return false;
  const text = `${digest.algorithm}:${digest.hex}`;
  response.writeHead(307, { ...headers, location, 'docker-content-digest': text, 'content-length': '0' });
  response.end();
  return true;
}

/**
 * Streams an opened blob's bytes (the range, inclusive) to the response and ends it, through two
 * pooled 64 KiB buffers (sendRange). The caller opens the blob before the answer starts, so a blob
 * the server cannot open (or fetch from a peer) still fails with a status. A client that goes away
 * mid-body is no failure of ours: the blob is closed and this resolves.
 */
export async function sendBlob(reader: BlobReader, response: ServerResponse, range: ByteRange): Promise<void> {
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
