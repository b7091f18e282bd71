import type { IncomingMessage } from 'node:http';

export type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large'; bytes: number };

/**
 * Reads a request body of at most `limit` bytes. A longer body is drained (up to `drainLimit`) so
 * the client can read the 413 that follows on a connection left in a clean state; past that, the
 * caller closes the connection.
 */
export function readBody(request: IncomingMessage, limit: number, drainLimit = limit * 8): Promise<BodyResult> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > drainLimit) return Promise.resolve({ kind: 'too-large', bytes: declared });
  // Plain 'data' events rather than an async iterator: this runs on every API call.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
      else if (bytes > drainLimit) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        resolve({ kind: 'too-large', bytes });
      }
    };
    const onEnd = (): void => {
      if (bytes > limit) resolve({ kind: 'too-large', bytes });
      else resolve({ kind: 'ok', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes) });
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}
