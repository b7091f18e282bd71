import type { IncomingMessage } from 'node:http';

export type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large'; bytes: number };

/**
 * Reads a request body of at most `limit` bytes. A longer body is drained (up to `drainLimit`) so
 * the client can read the 413 that follows on a connection left in a clean state; past that, the
 * caller closes the connection.
 */
export async function readBody(request: IncomingMessage, limit: number, drainLimit = limit * 8): Promise<BodyResult> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > drainLimit) return { kind: 'too-large', bytes: declared };
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= limit) chunks.push(chunk);
    else if (bytes > drainLimit) return { kind: 'too-large', bytes };
  }
  if (bytes > limit) return { kind: 'too-large', bytes };
  return { kind: 'ok', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes) };
}
