import { StringDecoder } from 'node:string_decoder';

// Docker's streaming answers, decoded from raw HTTP body chunks (which split frames, lines and UTF-8
// characters anywhere):
// - logs of a non-TTY container are multiplexed frames: an 8-byte header
//   [stream: 0 stdin | 1 stdout | 2 stderr, 0, 0, 0, payload length: uint32 big-endian] + payload;
//   a TTY container's logs are the raw terminal output, all on stdout.
// - with timestamps=1 every log line starts with an RFC 3339 time with nanoseconds and a space.
// - /events, /images/create and friends send one JSON object per line.

export type LogStreamName = 'stdout' | 'stderr';

export interface LogLine {
  readonly stream: LogStreamName;
  /** When Docker received the line (its timestamp prefix), at millisecond precision. */
  readonly timestamp: Date;
  /** The text without its timestamp and line ending. */
  readonly line: string;
}

const HEADER_SIZE = 8;
const TIMESTAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}) /;

/** Splits text into lines per stream; text after the last newline waits for more (or for `flush`). */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  push(bytes: Uint8Array): string[] {
    const lines = (this.partial + this.decoder.write(Buffer.from(bytes))).split('\n');
    this.partial = lines.pop()!;
    return lines;
  }

  /** The last line of a stream that ended without a newline. */
  flush(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}

/** Decodes a container's log stream into lines; call with `tty: true` for containers created with Tty. */
export async function* logLines(
  chunks: AsyncIterable<Uint8Array>,
  options: { readonly tty?: boolean } = {},
): AsyncGenerator<LogLine> {
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const emit = (stream: LogStreamName, lines: string[]) =>
    lines.map((text) => parseLogLine(stream, options.tty ? text.replace(/\r$/, '') : text));
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (options.tty) {
      yield* emit('stdout', splitters.stdout.push(chunk));
      continue;
    }
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_SIZE) {
      const end = HEADER_SIZE + pending.readUInt32BE(4);
      if (pending.length < end) break;
      const stream: LogStreamName = pending[0] === 2 ? 'stderr' : 'stdout';
      yield* emit(stream, splitters[stream].push(pending.subarray(HEADER_SIZE, end)));
      pending = pending.subarray(end);
    }
  }
  yield* emit('stdout', splitters.stdout.flush());
  yield* emit('stderr', splitters.stderr.flush());
}

/** Splits Docker's timestamp prefix off; a line without one is stamped with the time it arrived. */
export function parseLogLine(stream: LogStreamName, text: string): LogLine {
  const match = TIMESTAMPED.exec(text);
  if (!match) return { stream, timestamp: new Date(), line: text };
  const [prefix, seconds, fraction = '', zone] = match;
  const timestamp = new Date(`${seconds}.${fraction.slice(0, 3).padEnd(3, '0')}${zone}`);
  return { stream, timestamp, line: text.slice(prefix.length) };
}

/**
 * Where a reader of a container's logs got to: the millisecond of the last line delivered and the
 * lines delivered in it, so a second read from that time (Docker's `since` is inclusive) can skip
 * what the first one delivered.
 */
export class LogCursor {
  private last = -Infinity;
  private readonly delivered = new Map<string, number>();

  record(entry: LogLine): void {
    const time = entry.timestamp.getTime();
    if (time < this.last) return;
    if (time > this.last) {
      this.last = time;
      this.delivered.clear();
    }
    const key = `${entry.stream} ${entry.line}`;
    this.delivered.set(key, (this.delivered.get(key) ?? 0) + 1);
  }

  /** The time to read again from; undefined before any line was delivered. */
  get since(): Date | undefined {
    return this.last === -Infinity ? undefined : new Date(this.last);
  }

  /** True for a line delivered before; each delivery excuses one repeat. */
  isRepeat(entry: LogLine): boolean {
    const time = entry.timestamp.getTime();
    if (time < this.last) return true;
    const key = `${entry.stream} ${entry.line}`;
    const count = time === this.last ? (this.delivered.get(key) ?? 0) : 0;
    if (count > 0) this.delivered.set(key, count - 1);
    return count > 0;
  }
}

/** Parses a stream of newline-separated JSON objects, skipping blank lines. */
export async function* jsonLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const splitter = new LineSplitter();
  for await (const chunk of chunks) {
    for (const line of splitter.push(chunk)) if (line.trim()) yield JSON.parse(line);
  }
  for (const line of splitter.flush()) if (line.trim()) yield JSON.parse(line);
}
