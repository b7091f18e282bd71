/**
 * Where a request body ends, for a proxy that passes the body on as it came: a Content-Length
 * counts bytes; a chunked body is walked (sizes, data, CRLFs, trailer fields) without decoding it.
 * Pure: `scan` says how many bytes of a chunk belong to the body and throws on malformed framing.
 */

/** Bounds one chunk-size or trailer line. */
const MAX_LINE_BYTES = 16 * 1024;
const LF = 0x0a;

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class BodyFramer {
  #state: State;
  #remaining: number;
  readonly #chunked: boolean;
  /** Bytes of the current size or trailer line seen so far (lines may be split across chunks). */
  #line = '';

  /** `contentLength`: the body's length, or -1 for a chunked body. */
  constructor(contentLength: number) {
    this.#chunked = contentLength === -1;
    this.#remaining = this.#chunked ? 0 : contentLength;
    this.#state = this.#chunked ? 'size' : contentLength === 0 ? 'done' : 'data';
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** How many leading bytes of `chunk` belong to the body; the rest is the next request. */
  scan(chunk: Buffer): number {
    if (!this.#chunked) {
      const take = Math.min(this.#remaining, chunk.length);
      this.#remaining -= take;
      if (this.#remaining === 0) this.#state = 'done';
      return take;
    }
    let offset = 0;
    while (offset < chunk.length && this.#state !== 'done') offset = this.#step(chunk, offset);
    return offset;
  }

  #step(chunk: Buffer, offset: number): number {
    switch (this.#state) {
      case 'data': {
        const take = Math.min(this.#remaining, chunk.length - offset);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-cr';
        return offset + take;
      }
      case 'data-cr':
        if (chunk[offset] !== 0x0d) throw new Error('Missing CRLF after a chunk');
        this.#state = 'data-lf';
        return offset + 1;
      case 'data-lf':
        if (chunk[offset] !== LF) throw new Error('Missing CRLF after a chunk');
        this.#state = 'size';
        return offset + 1;
      default:
        return this.#lineStep(chunk, offset);
    }
  }

  /** The size and trailer states read whole lines. */
  #lineStep(chunk: Buffer, offset: number): number {
    const end = chunk.indexOf(LF, offset);
    this.#line += chunk.toString('latin1', offset, end === -1 ? chunk.length : end);
    if (this.#line.length > MAX_LINE_BYTES) throw new Error('Chunk line too long');
    if (end === -1) return chunk.length;
    const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
    this.#line = '';
    if (this.#state === 'trailer') {
      if (line === '') this.#state = 'done';
    } else {
      const size = line.split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw new Error(`Bad chunk size '${line}'`);
      this.#remaining = parseInt(size, 16);
      this.#state = this.#remaining === 0 ? 'trailer' : 'data';
    }
    return end + 1;
  }
}
