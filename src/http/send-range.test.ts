import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sendRange, type PositionedReader } from './send-range.ts';

const KiB = 1024;

/** A reader over `bytes` that can be told to fail, or to stall, at a position. */
function memoryReader(bytes: Buffer, options: { failAt?: number; stallAt?: number } = {}) {
  let release: () => void = () => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  const reader: PositionedReader = {
    async read(buffer, length, position) {
      if (options.failAt !== undefined && position >= options.failAt) throw new Error('EIO: disk read failed');
      if (options.stallAt !== undefined && position >= options.stallAt) await stalled;
      return bytes.copy(buffer, 0, position, Math.min(position + length, bytes.length));
    },
  };
  return { reader, release: () => release() };
}

describe('sendRange', () => {
  const body = randomBytes(300 * KiB + 17); // several 64 KiB chunks and a short last one
  let server: Server;
  let url: string;
  let serve: (response: ServerResponse) => Promise<void>;

  before(async () => {
    server = createServer((_request, response) => void serve(response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  const cases: [string, { start: number; end: number }][] = [
    ['the whole body', { start: 0, end: body.length - 1 }],
    ['a range inside one chunk', { start: 10, end: 99 }],
    ['a range across chunks', { start: 60 * KiB, end: 200 * KiB }],
    ['the last byte', { start: body.length - 1, end: body.length - 1 }],
  ];
  for (const [name, range] of cases) {
    it(`sends ${name}`, async () => {
      const outcome = Promise.withResolvers<string>();
      serve = async (response) => {
        response.writeHead(200, { 'content-length': range.end - range.start + 1 });
        outcome.resolve(await sendRange(response, memoryReader(body).reader, range));
      };
      const received = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.deepEqual(received, body.subarray(range.start, range.end + 1));
      assert.equal(await outcome.promise, 'sent');
    });
  }

  it('resolves client-gone when the client resets the connection mid-body, and reads no further', async () => {
    const { reader, release } = memoryReader(body, { stallAt: 128 * KiB });
    let reads = 0;
    const counting: PositionedReader = { read: (...args) => (reads++, reader.read(...args)) };
    const outcome = Promise.withResolvers<string>();
    serve = async (response) => {
      response.writeHead(200, { 'content-length': body.length });
      outcome.resolve(await sendRange(response, counting, { start: 0, end: body.length - 1 }));
    };
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () =>
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    await once(socket, 'data');
    socket.resetAndDestroy(); // while the server waits for the stalled read
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    assert.equal(await outcome.promise, 'client-gone');
    assert.equal(reads, 3); // 0, 64 KiB, 128 KiB (stalled): the reset stopped it there
  });

  it('rejects with the read error and destroys the response when a read fails', async () => {
    const outcome = Promise.withResolvers<unknown>();
    serve = async (response) => {
      response.writeHead(200, { 'content-length': body.length });
      await sendRange(response, memoryReader(body, { failAt: 64 * KiB }).reader, {
        start: 0,
        end: body.length - 1,
      }).then(outcome.resolve, outcome.resolve);
    };
    await assert.rejects(async () => (await fetch(url)).arrayBuffer()); // a cut body, not a short 200
    assert.match(String(await outcome.promise), /EIO/);
  });
});
