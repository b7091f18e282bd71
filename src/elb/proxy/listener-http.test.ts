import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  aListener,
  aTargetGroup,
  eventually,
  forwardRule,
  freePort,
  startTarget,
  type TestTarget,
} from '../../../testing/elb-proxy.ts';
import type { DataPlane, RuleConfig } from '../data-plane-contract.ts';
import { createProxyDataPlane } from './proxy-data-plane.ts';

/**
 * The listener as an HTTP/1.1 server, seen from raw sockets: what a client library would hide
 * (pipelining, HTTP/1.0, chunked uploads, 100-continue, refusals, framing of the answer).
 */

interface RawReply {
  readonly text: string;
  /** The proxy closed the connection. */
  readonly closed: boolean;
}

/** Writes `pieces` on one connection and reads until `done` holds or the proxy closes (bounded). */
async function raw(port: number, pieces: readonly string[], done: (text: string) => boolean): Promise<RawReply> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let text = '';
  let closed = false;
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no complete answer; got ${JSON.stringify(text)}`)), 5000);
    const check = (): void => {
      if (!closed && !done(text)) return;
      clearTimeout(timer);
      resolve();
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      check();
    });
    socket.on('close', () => {
      closed = true;
      check();
    });
    socket.on('error', () => {});
  });
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await finished;
  socket.destroy();
  return { text, closed };
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('listener HTTP/1.1 server', () => {
  let plane: DataPlane;
  let port: number;
  let echo: TestTarget;
  let streaming: TestTarget;
  before(async () => {
    // Echoes method, path and body; answers /stream chunked and /close close-delimited.
    echo = await startTarget('echo', (req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const text = `${req.method} ${req.url} ${body}`;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': text.length });
        res.end(text);
      });
    });
    streaming = await startTarget('streaming', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      setTimeout(() => res.end('second'), 20);
    });
    port = await freePort();
    plane = createProxyDataPlane();
    const rules: RuleConfig[] = [
      forwardRule({ streaming: 1 }, [{ field: 'path-pattern', values: ['/stream'] }], 1),
      {
        ...forwardRule({}, [{ field: 'path-pattern', values: ['/fixed'] }], 2),
        action: { type: 'fixed-response', statusCode: 418, contentType: 'text/plain', messageBody: 'teapot' },
      },
      forwardRule({ echo: 1 }),
    ];
    await plane.apply({
      listeners: [aListener(port, rules, 1)],
      targetGroups: [aTargetGroup('echo', [echo]), aTargetGroup('streaming', [streaming])],
    });
    await eventually(
      () => ['echo', 'streaming'].every((arn) => plane.targetHealth(arn)[0]?.state === 'healthy'),
      'healthy targets',
    );
  });
  after(async () => {
    await plane.close();
    await Promise.all([echo.close(), streaming.close()]);
  });

  test('pipelined requests are answered in order on one connection', async () => {
    const request = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const reply = await raw(port, [request('/one') + request('/two') + request('/fixed')], (text) =>
      text.includes('teapot'),
    );
    assert.equal(reply.closed, false);
    assert.ok(reply.text.indexOf('GET /one') < reply.text.indexOf('GET /two'));
    assert.equal(count(reply.text, 'HTTP/1.1 200 OK'), 2);
    assert.match(reply.text, /HTTP\/1\.1 418 I'm a Teapot/i);
  });

  test('a request head that arrives in pieces is answered once whole', async () => {
    const reply = await raw(port, ['GET /pie', 'ces HTTP/1.1\r\nHo', 'st: x\r\n\r', '\n'], (text) =>
      text.includes('GET /pieces'),
    );
    assert.match(reply.text, /^HTTP\/1\.1 200 OK/);
  });

  test('a chunked upload is passed on whole, and the connection serves the next request', async () => {
    const upload =
      'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' + '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const reply = await raw(
      port,
      [upload.slice(0, 60), upload.slice(60), 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n'],
      (text) => text.includes('GET /after'),
    );
    assert.match(reply.text, /POST \/up hello world/);
    assert.equal(reply.closed, false);
  });

  test('Expect: 100-continue gets 100 Continue before the body is sent', async () => {
    const reply = await raw(
      port,
      ['PUT /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n', 'data'],
      (text) => text.includes('PUT /c data'),
    );
    assert.match(reply.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
  });

  test('HTTP/1.0: no Host needed, closed after the answer unless kept alive', async () => {
    const plain = await raw(port, ['GET /old HTTP/1.0\r\n\r\n'], () => false);
    assert.match(plain.text, /^HTTP\/1\.1 200 OK[\s\S]*Connection: close[\s\S]*GET \/old $/);
    assert.equal(plain.closed, true);
    const kept = await raw(port, ['GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], (text) =>
      text.endsWith('GET /old '),
    );
    assert.match(kept.text, /Connection: keep-alive/);
    assert.equal(kept.closed, false);
  });

  test('a body without a length is chunked to HTTP/1.1 clients, close-delimited to HTTP/1.0 ones', async () => {
    const chunked = await raw(port, ['GET /stream HTTP/1.1\r\nHost: x\r\n\r\n'], (text) => text.endsWith('0\r\n\r\n'));
    assert.match(chunked.text, /Transfer-Encoding: chunked/);
    assert.match(chunked.text, /\r\n\r\n6\r\nfirst,\r\n6\r\nsecond\r\n0\r\n\r\n$/);
    const old = await raw(port, ['GET /stream HTTP/1.0\r\n\r\n'], () => false);
    assert.doesNotMatch(old.text, /Transfer-Encoding/);
    assert.match(old.text, /\r\n\r\nfirst,second$/);
  });

  test('HEAD of a fixed response has no body', async () => {
    const reply = await raw(
      port,
      ['HEAD /fixed HTTP/1.1\r\nHost: x\r\n\r\nGET /fixed HTTP/1.1\r\nHost: x\r\n\r\n'],
      (text) => text.endsWith('teapot'),
    );
    assert.equal(count(reply.text, 'teapot'), 1);
    assert.equal(count(reply.text, 'Content-Length: 6'), 2);
  });

  test('what cannot be parsed is refused, and the connection closed', async () => {
    const cases: [string, RegExp][] = [
      ['GARBAGE\r\n\r\n', /^HTTP\/1\.1 400 Bad Request/],
      ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 505 /],
      ['GET / HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400 /],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', /^HTTP\/1\.1 400 /],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
    ];
    for (const [request, expected] of cases) {
      const reply = await raw(port, [request], () => false);
      assert.match(reply.text, expected, JSON.stringify(request.slice(0, 60)));
      assert.equal(reply.closed, true);
    }
  });

  test('an idle client connection is closed after the idle timeout', async () => {
    const started = Date.now();
    const reply = await raw(port, ['GET /x HTTP/1.1\r\nHost: x\r\n\r\n'], () => false);
    assert.equal(reply.closed, true);
    assert.match(reply.text, /GET \/x $/);
    assert.ok(Date.now() - started >= 900, 'not before the 1 s idle timeout');
  });
});
