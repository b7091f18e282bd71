/**
 * The bytes packed buckets are made of (packed-buckets.ts): unsigned varints (7 bits a byte, low
 * first, exact up to 2^53) and numbers. A number is a varint of zigzag(m) * 8 + d when it is
 * exactly m / 10^d for d ≤ 6 and |m| ≤ 2^44 (52.37 is 3 bytes, a count of 1 one byte), else the
 * tag 7 and its 8 bytes of IEEE 754: every double, -0, infinities and NaN round-trip exactly.
 */

const SCALES = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000] as const;
const RAW = 7;
const MAX_MANTISSA = 2 ** 44;

export class ByteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(capacity = 64) {
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Empties the writer to write again, keeping its memory. */
  reset(): this {
    this.#length = 0;
    return this;
  }

  get length(): number {
    return this.#length;
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  bytes(from: Uint8Array): void {
    this.#reserve(from.length);
    this.#bytes.set(from, this.#length);
    this.#length += from.length;
  }

  varint(value: number): void {
    let n = value;
    while (n >= 128) {
      this.byte((n % 128) + 128);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }

  number(value: number): void {
    if (!Object.is(value, -0)) {
      for (let d = 0; d < SCALES.length; d++) {
        const m = Math.round(value * SCALES[d]!);
        if (Math.abs(m) <= MAX_MANTISSA && m / SCALES[d]! === value) {
          this.varint((m >= 0 ? 2 * m : -2 * m - 1) * 8 + d);
          return;
        }
      }
    }
    this.byte(RAW);
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value, true);
    this.#length += 8;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

export class ByteReader {
  readonly #bytes: Uint8Array;
  #view: DataView | undefined;
  offset: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes;
    this.offset = offset;
  }

  get done(): boolean {
    return this.offset >= this.#bytes.length;
  }

  byte(): number {
    if (this.offset >= this.#bytes.length) throw new RangeError('packed bucket truncated');
    return this.#bytes[this.offset++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b % 128) * scale;
      if (b < 128) return value;
      scale *= 128;
      if (scale > 2 ** 56) throw new RangeError('packed bucket varint too long');
    }
  }

  number(): number {
    const tagged = this.varint();
    if (tagged === RAW) {
      if (this.offset + 8 > this.#bytes.length) throw new RangeError('packed bucket truncated');
      this.#view ??= new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength);
      const value = this.#view.getFloat64(this.offset, true);
      this.offset += 8;
      return value;
    }
    const d = tagged % 8;
    const zigzag = Math.floor(tagged / 8);
    const m = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    return m / SCALES[d]!;
  }

  /** Skips a number without decoding it. */
  skipNumber(): void {
    if (this.varint() === RAW) this.offset += 8;
  }

  slice(from: number, to: number): Uint8Array {
    return this.#bytes.subarray(from, to);
  }
}

/** Zigzag for signed varints (bin indexes). */
export function zigzag(n: number): number {
  return n >= 0 ? 2 * n : -2 * n - 1;
}

export function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}
