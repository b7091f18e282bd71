/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its length in two bytes,
 * so no message can exceed 65,535 bytes. The framer holds at most one partial message plus the
 * last chunk, and copies each byte a bounded number of times however the stream is split.
 */
export class MessageFramer {
  #chunks: Buffer[] = [];
  #length = 0;

  /** The messages that `chunk` completes, in order. */
  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    if (this.#length < 2) return [];
    const first = this.#chunks[0]!;
    const needed = 2 + (first.length >= 2 ? first.readUInt16BE(0) : this.#joined().readUInt16BE(0));
    if (this.#length < needed) return [];
    const buffer = this.#joined();
    const messages: Buffer[] = [];
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const end = offset + 2 + buffer.readUInt16BE(offset);
      if (end > buffer.length) break;
      messages.push(buffer.subarray(offset + 2, end));
      offset = end;
    }
    const rest = buffer.subarray(offset);
    // A copy, so that a small remainder does not pin a large chunk.
    this.#chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.#length = rest.length;
    return messages;
  }

  #joined(): Buffer {
    const buffer = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [buffer];
    return buffer;
  }
}

/** `message` with its two-byte length in front. */
export function frame(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}
