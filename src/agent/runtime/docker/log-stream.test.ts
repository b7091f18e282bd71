import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonLines, LogCursor, logLines, parseLogLine } from './log-stream.ts';
import type { LogLine } from './log-stream.ts';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** The bytes cut into pieces of `size`, so frames, lines and UTF-8 characters split anywhere. */
async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const T1 = '2024-05-06T07:08:09.123456789Z';
const T2 = '2024-05-06T07:08:10Z';

describe('logLines', () => {
  const multiplexed = Buffer.concat([
    frame(1, `${T1} one\n`),
    frame(2, `${T1} two: ünïcödé\n`),
    // One line in two frames, then two lines in one frame.
    frame(1, `${T2} thr`),
    frame(1, `ee\n${T2} four\n${T2} five`),
  ]);
  const expected = [
    { stream: 'stdout', time: '2024-05-06T07:08:09.123Z', line: 'one' },
    { stream: 'stderr', time: '2024-05-06T07:08:09.123Z', line: 'two: ünïcödé' },
    { stream: 'stdout', time: '2024-05-06T07:08:10.000Z', line: 'three' },
    { stream: 'stdout', time: '2024-05-06T07:08:10.000Z', line: 'four' },
    // No newline before the stream ended: delivered anyway.
    { stream: 'stdout', time: '2024-05-06T07:08:10.000Z', line: 'five' },
  ];
  const simple = (lines: LogLine[]) =>
    lines.map((l) => ({ stream: l.stream, time: l.timestamp.toISOString(), line: l.line }));

  for (const size of [1, 3, 7, 8, 9, 64, 4096]) {
    it(`demultiplexes frames delivered in ${size}-byte chunks`, async () => {
      assert.deepEqual(simple(await collect(logLines(pieces(multiplexed, size)))), expected);
    });
  }

  it('reads a TTY stream as raw stdout, dropping carriage returns', async () => {
    const raw = Buffer.from(`${T1} a\r\n${T2} b\r\n`);
    const lines = simple(await collect(logLines(pieces(raw, 5), { tty: true })));
    assert.deepEqual(lines, [
      { stream: 'stdout', time: '2024-05-06T07:08:09.123Z', line: 'a' },
      { stream: 'stdout', time: '2024-05-06T07:08:10.000Z', line: 'b' },
    ]);
  });
});

describe('parseLogLine', () => {
  it('keeps a line without a timestamp whole, stamped on arrival', () => {
    const before = Date.now();
    const parsed = parseLogLine('stderr', 'no time here');
    assert.equal(parsed.line, 'no time here');
    assert.ok(parsed.timestamp.getTime() >= before);
  });

  it('honours a zone offset', () => {
    assert.equal(
      parseLogLine('stdout', '2024-05-06T09:08:09.5+02:00 x').timestamp.toISOString(),
      '2024-05-06T07:08:09.500Z',
    );
  });
});

describe('jsonLines', () => {
  it('parses one object per line across chunk boundaries, skipping blank lines', async () => {
    const text = Buffer.from('{"status":"Pulling"}\r\n\n{"status":"Digest: sha256:ab"}\n{"error":"boom"}');
    assert.deepEqual(await collect(jsonLines(pieces(text, 4))), [
      { status: 'Pulling' },
      { status: 'Digest: sha256:ab' },
      { error: 'boom' },
    ]);
  });
});

describe('LogCursor', () => {
  const at = (ms: number, line: string, stream: 'stdout' | 'stderr' = 'stdout') => ({
    stream,
    timestamp: new Date(ms),
    line,
  });

  it('skips, on a second read from its time, exactly the lines the first read delivered', () => {
    const cursor = new LogCursor();
    assert.equal(cursor.since, undefined);
    for (const entry of [at(1000, 'a'), at(2000, 'x'), at(2000, 'x'), at(2000, 'y', 'stderr')]) cursor.record(entry);
    assert.deepEqual(cursor.since, new Date(2000));
    // The second read starts at 2000 ms: two x and one y were delivered; the third x and z are new.
    const second = [at(2000, 'x'), at(2000, 'y', 'stderr'), at(2000, 'x'), at(2000, 'x'), at(2000, 'z'), at(2001, 'x')];
    assert.deepEqual(
      second.map((entry) => cursor.isRepeat(entry)),
      [true, true, true, false, false, false],
    );
  });
});
