import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
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
 * The listener as a strict HTTP/1.1 server: what is not a well-formed request is answered at once
 * with ALB's status and the connection closed, and nothing of it reaches a target; a head must
 * arrive within the header timeout however its bytes trickle; connections over the caps are told
 * why (503) rather than dropped.
 */

interface RawReply {
  readonly text: string;
  /** The proxy closed the connection. */
  readonly closed: boolean;
}

/** A raw connection that collects what the proxy sends, until `done` holds or the proxy closes (bounded). */
async function openRaw(
  port: number,
): Promise<{ socket: Socket; reply: (done?: (text: string) => boolean) => Promise<RawReply> }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let text = '';
  let closed = false;
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const wake of waiters) wake();
  });
  socket.on('close', () => {
    closed = true;
    for (const wake of waiters) wake();
  });
  socket.on('error', () => {});
  const reply = (done: (text: string) => boolean = () => false): Promise<RawReply> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!closed && !done(text)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve({ text, closed });
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no answer within 5 s; got ${JSON.stringify(text)}`));
      }, 5000);
      waiters.add(check);
      check();
    });
  return { socket, reply };
}

/** Sends `bytes` in one write and waits for the proxy to answer and close. */
async function sendOnce(port: number, bytes: string): Promise<RawReply> {
  const { socket, reply } = await openRaw(port);
  socket.write(Buffer.from(bytes, 'latin1'));
  const answer = await reply();
  socket.destroy();
  return answer;
}

const statusLine = (text: string): string => text.slice(0, text.indexOf('\r\n'));

/** A complete answer on a kept-alive connection: its head, and a body of Content-Length bytes. */
function answered(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  const length = /Content-Length: (\d+)/i.exec(text);
  return end !== -1 && length !== null && text.length >= end + 4 + Number(length[1]);
}

/** A target that counts the requests it received whole (its body read to the end). */
async function startCountingTarget(name: string): Promise<TestTarget & { readonly completed: () => number }> {
  let completed = 0;
  const target = await startTarget(name, (req, res) => {
    req.resume();
    req.on('end', () => {
      completed++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end('ok');
    });
  });
  return Object.assign(target, { completed: () => completed });
}

describe('listener: malformed requests are refused at once, and reach no target', () => {
  let plane: DataPlane;
  let port: number;
  let target: TestTarget & { readonly completed: () => number };
  before(async () => {
    target = await startCountingTarget('strict');
    port = await freePort();
    // The default header timeout (60 s) and idle timeout (60 s): an answer within the 5 s bound is "at once".
    plane = createProxyDataPlane();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ strict: 1 })])],
      targetGroups: [aTargetGroup('strict', [target])],
    });
    await eventually(() => plane.targetHealth('strict')[0]?.state === 'healthy', 'a healthy target');
  });
  after(async () => {
    await plane.close();
    await target.close();
  });

  const BAD = 'HTTP/1.1 400 Bad Request';
  const head = (lines: string): string => `POST / HTTP/1.1\r\nHost: x\r\n${lines}\r\n`;
  const chunked = (body: string): string => head('Transfer-Encoding: chunked\r\n') + body;
  const cases: [string, string, string][] = [
    ['a bare CR in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n', BAD],
    ['a bare CR ending a header line', 'GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n', BAD],
    ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n', BAD],
    ['a control character in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n', BAD],
    ['NUL in the path', 'GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n', BAD],
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: x\r\n\r\n', BAD],
    ['a method that is not a token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', BAD],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', BAD],
    ['TRACE', 'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 405 Method Not Allowed'],
    ['two equal Content-Lengths', head('Content-Length: 2\r\nContent-Length: 2\r\n') + 'ok', BAD],
    ['a folded header line', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n', BAD],
    ['a chunk size with a leading space', chunked(' 2\r\nok\r\n0\r\n\r\n'), BAD],
    ['a chunk size with a trailing space', chunked('2 \r\nok\r\n0\r\n\r\n'), BAD],
    ['a chunk size that is not hex', chunked('2g\r\nok\r\n0\r\n\r\n'), BAD],
    ['a chunk size that overflows', chunked('fffffffffffffffff\r\nok\r\n0\r\n\r\n'), BAD],
    ['a chunk-size line ended by a bare LF', chunked('2\nok\r\n0\r\n\r\n'), BAD],
    ['chunk data not followed by CRLF', chunked('2\r\nokk\r\n0\r\n\r\n'), BAD],
    ['a trailer carrying Content-Length', chunked('2\r\nok\r\n0\r\nContent-Length: 2\r\n\r\n'), BAD],
    ['a trailer carrying Transfer-Encoding', chunked('2\r\nok\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n'), BAD],
    ['a trailer carrying Host', chunked('2\r\nok\r\n0\r\nHost: elsewhere\r\n\r\n'), BAD],
    // Heads that never end with CRLF CRLF: answered now, not at the header or idle timeout.
    ['bare-LF line endings', 'GET / HTTP/1.1\nHost: x\n\n', BAD],
    ['a TLS ClientHello', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' + '\x00'.repeat(32), BAD],
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.6\r\n', BAD],
    ['HTTP/2 prior knowledge', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'HTTP/1.1 505 HTTP Version Not Supported'],
  ];
  for (const [what, bytes, expected] of cases) {
    test(what, async () => {
      const reply = await sendOnce(port, bytes);
      assert.equal(statusLine(reply.text), expected);
      assert.match(reply.text, /\r\nConnection: close\r\n/);
      assert.equal(reply.closed, true);
      assert.equal(target.hits, 0, 'the target received nothing');
    });
  }

  test('a chunk that turns out malformed after the head went on: 400, and the target never gets the request whole', async () => {
    const { socket, reply } = await openRaw(port);
    socket.write(chunked('2\r\nok\r\n'));
    await eventually(() => target.hits === 1, 'the head at the target');
    socket.write('2 \r\nok\r\n0\r\n\r\n');
    const answer = await reply();
    assert.equal(statusLine(answer.text), BAD);
    assert.equal(answer.closed, true);
    assert.equal(target.completed(), 0);
  });

  test('well-formed requests still go through', async () => {
    for (const request of [
      'GET / HTTP/1.1\r\nHost: x\r\nX: tab\tand obs-text \xe9\r\n\r\n',
      'M-SEARCH / HTTP/1.1\r\nHost: x\r\n\r\n',
      chunked('2;name=value\r\nok\r\n0\r\nX-Checksum: 1\r\n\r\n'),
      '\r\n' + head('Content-Length: 2\r\n') + 'ok',
    ]) {
      const { socket, reply } = await openRaw(port);
      socket.write(Buffer.from(request, 'latin1'));
      const answer = await reply(answered);
      socket.destroy();
      assert.equal(statusLine(answer.text), 'HTTP/1.1 200 OK', JSON.stringify(request));
    }
  });
});

describe('listener: the header timeout', () => {
  let plane: DataPlane;
  let port: number;
  let target: TestTarget;
  before(async () => {
    target = await startCountingTarget('slow');
    port = await freePort();
    plane = createProxyDataPlane({ headerTimeoutMs: 300 });
    // A 60 s idle timeout: every trickled byte would reset it; the header timeout is what ends the trickle.
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ slow: 1 })])],
      targetGroups: [aTargetGroup('slow', [target])],
    });
    await eventually(() => plane.targetHealth('slow')[0]?.state === 'healthy', 'a healthy target');
  });
  after(async () => {
    await plane.close();
    await target.close();
  });

  test('a head trickling in a byte at a time is answered 408 and closed; an idle kept-alive connection is not', async () => {
    const kept = await openRaw(port);
    kept.socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(statusLine((await kept.reply(answered)).text), 'HTTP/1.1 200 OK');

    const trickle = await openRaw(port);
    const replied = trickle.reply();
    const bytes = `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`;
    let sent = 0;
    let answer: RawReply | undefined;
    void replied.then((reply) => (answer = reply));
    while (answer === undefined && sent < bytes.length) {
      trickle.socket.write(bytes[sent++]!);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const reply = await replied;
    assert.equal(statusLine(reply.text), 'HTTP/1.1 408 Request Timeout');
    assert.equal(reply.closed, true);
    assert.ok(sent < bytes.length, 'answered before the head was complete');
    assert.equal(target.hits, 1, 'only the first request reached the target');

    // The kept-alive connection sat idle (between requests) longer than the header timeout: still open.
    const before = (await kept.reply(() => true)).text.length;
    kept.socket.write('GET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = await kept.reply((text) => answered(text.slice(before)));
    assert.equal(statusLine(second.text.slice(before)), 'HTTP/1.1 200 OK');
    kept.socket.destroy();
  });
});

describe('listener: connection caps', () => {
  let plane: DataPlane;
  let ports: [number, number];
  const fixed: RuleConfig = {
    ruleArn: 'rule/default',
    priority: 'default',
    conditions: [],
    action: { type: 'fixed-response', statusCode: 200, contentType: 'text/plain', messageBody: 'ok' },
  };
  before(async () => {
    ports = [await freePort(), await freePort()];
    // Two per listener, three for both together.
    plane = createProxyDataPlane({ maxConnectionsPerListener: 2, maxConnections: 3 });
    await plane.apply({ listeners: ports.map((port) => aListener(port, [fixed])), targetGroups: [] });
  });
  after(() => plane.close());

  /** A connection the listener has taken: it has answered one request on it. */
  async function held(port: number): Promise<Socket> {
    const { socket, reply } = await openRaw(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(statusLine((await reply(answered)).text), 'HTTP/1.1 200 OK');
    return socket;
  }

  async function turnedAway(port: number): Promise<void> {
    const { socket, reply } = await openRaw(port);
    const answer = await reply();
    socket.destroy();
    assert.equal(statusLine(answer.text), 'HTTP/1.1 503 Service Temporarily Unavailable');
    assert.match(answer.text, /\r\nConnection: close\r\n/);
    assert.equal(answer.closed, true);
  }

  test('a listener over its cap, or all listeners over theirs, answer 503 and close; a place freed is taken again', async () => {
    const first = [await held(ports[0]), await held(ports[0])];
    await turnedAway(ports[0]); // the listener's own cap: 2
    const second = await held(ports[1]);
    await turnedAway(ports[1]); // the data plane's: 3 in all
    first[0]!.destroy();
    let reopened: Socket | undefined;
    for (let attempt = 0; reopened === undefined; attempt++) {
      assert.ok(attempt < 100, 'a place is freed once a connection closes');
      const { socket, reply } = await openRaw(ports[1]);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const answer = await reply(answered);
      if (statusLine(answer.text) === 'HTTP/1.1 200 OK') reopened = socket;
      else socket.destroy();
    }
    for (const socket of [first[1]!, second, reopened]) socket.destroy();
  });
});
