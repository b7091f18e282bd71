import type { ServerResponse } from 'node:http';

/** Positioned reads into the caller's buffer, as a blob store's reader offers them. */
export interface PositionedReader {
  /** Reads up to `length` bytes at `position` into `buffer`; resolves with the count (0 at the end). */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
}

const CHUNK_BYTES = 64 * 1024;
/** Spare chunk buffers kept between responses (64 × 64 KiB = 4 MiB at most); more are left to the GC. */
const POOL_LIMIT = 64;
const pool: Buffer[] = [];

/**
 * Sends the bytes `start`..`end` (inclusive) of what `reader` reads, then ends the response. One
 * chunk is read from disk while the previous one is being written, and the next read waits for
 * that write to complete: a download holds two 64 KiB buffers whatever the client's speed, and the
 * buffers come back to a small pool, so a busy registry makes no garbage per chunk.
 *
 * Every failure is handled here. A client that goes away mid-body (closes or resets the
 * connection, as an interrupted `docker pull` does) resolves with 'client-gone': nobody is left to
 * answer. A read that fails rejects, after destroying the response, so that the client sees a cut
 * body rather than a short success.
 */
export async function sendRange(
  response: ServerResponse,
  reader: PositionedReader,
  range: { readonly start: number; readonly end: number },
): Promise<'sent' | 'client-gone'> {
  if (response.destroyed) return 'client-gone';
  let closed = false; // before end(): the connection is gone
  const whenClosed = new Promise<'closed'>((resolve) =>
    response.once('close', () => {
      closed = true;
      resolve('closed');
    }),
  );
  // The previous chunk's write; it never rejects (see writeChunk).
  let writing: Promise<'written' | 'failed'> = Promise.resolve('written');
  /** False when that write failed or the connection closed first (a write to a socket already
   * destroyed may never call back: the 'close' event ends the wait then). */
  const previousWritten = async (): Promise<boolean> => {
    const outcome = await Promise.race([writing, whenClosed]);
    return outcome === 'written' && !closed;
  };
  for (let position = range.start; position <= range.end;) {
    if (closed) return 'client-gone';
    const buffer = pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    let bytes: number;
    try {
      bytes = await reader.read(buffer, Math.min(CHUNK_BYTES, range.end - position + 1), position);
      if (bytes === 0) throw new Error(`the bytes ended at ${position}, before ${range.end + 1}`);
    } catch (error) {
      release(buffer);
      response.destroy();
      throw error;
    }
    if (!(await previousWritten())) {
      release(buffer); // never handed to the socket
      return 'client-gone';
    }
    writing = writeChunk(response, buffer, bytes);
    position += bytes;
  }
  if (!(await previousWritten())) return 'client-gone';
  response.end();
  return 'sent';
}

/**
 * Writes the chunk; resolves once the socket is done with the buffer, which only then goes back
 * to the pool. Never rejects: a failed write (the client went away) resolves 'failed', so that
 * nothing is left unhandled while the next chunk is being read.
 */
function writeChunk(response: ServerResponse, buffer: Buffer, bytes: number): Promise<'written' | 'failed'> {
  return new Promise((resolve) => {
    response.write(bytes === buffer.length ? buffer : buffer.subarray(0, bytes), (error) => {
      if (error) {
        resolve('failed'); // the buffer may still be queued somewhere: not reused
        return;
      }
      release(buffer);
      resolve('written');
    });
  });
}

function release(buffer: Buffer): void {
  if (pool.length < POOL_LIMIT) pool.push(buffer);
}
