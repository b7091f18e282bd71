import type { IncomingMessage } from 'node:http';
import type { BlobReader } from '../blob-store.ts';
import { S3RequestError, type S3Client } from './s3-client.ts';

/**
 * Positioned reads of an S3 object through one streaming GET: reads that follow each other (what a
 * download does) consume the same response; a jump elsewhere starts a ranged GET from there.
 */
export class S3BlobReader implements BlobReader {
  readonly #client: S3Client;
  readonly #key: string;
  #body: AsyncIterator<Buffer> | undefined;
  #response: IncomingMessage | undefined;
  #position = -1;
  #pending: Buffer = Buffer.alloc(0);

  constructor(client: S3Client, key: string) {
    this.#client = client;
    this.#key = key;
  }

  async read(buffer: Buffer, length: number, position: number): Promise<number> {
    if (position !== this.#position || !this.#body) await this.#open(position);
    let filled = 0;
    while (filled < length) {
      if (this.#pending.length === 0) {
        const next = await this.#body!.next();
        if (next.done) break;
        this.#pending = next.value;
      }
      const take = Math.min(length - filled, this.#pending.length);
      this.#pending.copy(buffer, filled, 0, take);
      this.#pending = this.#pending.subarray(take);
      filled += take;
    }
    this.#position = position + filled;
    return filled;
  }

  async close(): Promise<void> {
    this.#response?.destroy();
    this.#response = undefined;
    this.#body = undefined;
  }

  async #open(position: number): Promise<void> {
    await this.close();
    const response = await this.#client.get(this.#key, { start: position }).catch((error: unknown) => {
      if (error instanceof S3RequestError && error.status === 416) return 'end' as const; // at or past the end
      throw error;
    });
    if (response === 'end') {
      this.#body = (async function* () {})();
      this.#position = position;
      return;
    }
    if (!response) throw Object.assign(new Error(`no blob ${this.#key}`), { code: 'ENOENT' });
    this.#response = response;
    this.#body = (response as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.#pending = Buffer.alloc(0);
    this.#position = position;
  }
}
