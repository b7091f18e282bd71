import { IncompleteBody, InvalidArgument } from '../s3/index.ts';

/**
 * Decodes an `aws-chunked` body (Content-Encoding: aws-chunked), as the AWS SDKs stream uploads
 * of unknown length: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` repeated, a zero-size chunk,
 * then trailing headers (`x-amz-checksum-crc32:…\r\n`) and an empty line. The caller reads
 * `trailers` once the stream is done.
 */
export class AwsChunkedDecoder {
  readonly trailers: Record<string, string> = {};
  readonly #source: AsyncIterable<Uint8Array>;
  #pending: Buffer = Buffer.alloc(0);
  #iterator: AsyncIterator<Uint8Array> | undefined;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source;
  }

  async *decode(): AsyncIterable<Uint8Array> {
    this.#iterator = this.#source[Symbol.asyncIterator]();
    for (;;) {
      const header = await this.#line();
      const size = Number.parseInt(header.split(';')[0]!, 16);
      if (!/^[0-9a-fA-F]+$/.test(header.split(';')[0]!) || !Number.isSafeInteger(size)) {
        throw new InvalidArgument('Invalid chunk header in an aws-chunked body');
      }
      if (size === 0) break;
      let left = size;
      while (left > 0) {
        if (this.#pending.length === 0 && !(await this.#fill())) throw new IncompleteBody();
        const part = this.#pending.subarray(0, Math.min(left, this.#pending.length));
        this.#pending = this.#pending.subarray(part.length);
        left -= part.length;
        yield part;
      }
      if ((await this.#line()) !== '')
        throw new InvalidArgument('A chunk of an aws-chunked body does not end with CRLF');
    }
    for (;;) {
      const line = await this.#line().catch((error: unknown) => {
        // Some clients end the body right after the last trailer, without the empty line.
        if (error instanceof IncompleteBody) return '';
        throw error;
      });
      if (line === '') return;
      const colon = line.indexOf(':');
      if (colon > 0) this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }

  async #fill(): Promise<boolean> {
    const next = await this.#iterator!.next();
    if (next.done) return false;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    return true;
  }

  /** The next CRLF-terminated line (headers are short: a line over 4 KiB is refused). */
  async #line(): Promise<string> {
    for (;;) {
      const at = this.#pending.indexOf('\r\n');
      if (at !== -1) {
        const line = this.#pending.subarray(0, at).toString('latin1');
        this.#pending = this.#pending.subarray(at + 2);
        return line;
      }
      if (this.#pending.length > 4096) throw new InvalidArgument('An aws-chunked header line is too long');
      if (!(await this.#fill())) throw new IncompleteBody();
    }
  }
}
