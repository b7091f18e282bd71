import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ByteRange, Digest } from '../blobs/index.ts';
import { RegistryError, type Registry } from '../ecr/index.ts';

/* Moving bytes between sockets and the registry: blob downloads and bounded manifest uploads. */

const SEND_BUFFER_BYTES = 1024 * 1024;

/**
 * Copies a blob's bytes to the response through two reused buffers: one is being written to the
 * socket while the next is read from disk. No buffer is allocated per chunk, so a large pull makes
 * no garbage and no page faults, and memory stays at 2 MiB per download.
 */
export async function sendBlob(
  registry: Registry,
  digest: Digest,
  response: ServerResponse,
  range: ByteRange,
): Promise<void> {
  const reader = await registry.openBlob(digest);
  try {
    const length = range.end - range.start + 1;
    const size = Math.min(SEND_BUFFER_BYTES, length);
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    let written: Promise<void> = Promise.resolve();
    let position = range.start;
    for (let turn = 0; position <= range.end; turn ^= 1) {
      const buffer = buffers[turn]!;
      const bytes = await reader.read(buffer, Math.min(size, range.end - position + 1), position);
      if (bytes === 0) throw new Error(`blob ${digest.algorithm}:${digest.hex} ended early at ${position}`);
      await written; // the other buffer is free again once its write is done
      written = write(response, buffer.subarray(0, bytes));
      position += bytes;
    }
    await written;
    response.end();
  } finally {
    await reader.close();
  }
}

function write(response: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (response.destroyed) {
      reject(new Error('the client went away'));
      return;
    }
    response.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
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
