import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFramer } from './body-framer.ts';
import { isHeadError, parseRequestHead, type RequestHead } from './request-head.ts';

function parsed(text: string): RequestHead {
  const head = parseRequestHead(text);
  if (isHeadError(head)) throw new Error(head.message);
  return head;
}

function status(text: string): number | undefined {
  const head = parseRequestHead(text);
  return isHeadError(head) ? head.status : undefined;
}

test('a request head: line, fields as sent, framing and connection', () => {
  const head = parsed('POST /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Thing:  two words \r\nContent-Length: 12');
  assert.deepEqual(
    [head.method, head.url, head.minor, head.contentLength, head.keepAlive],
    ['POST', '/a?b=1', 1, 12, true],
  );
  assert.deepEqual(head.rawHeaders, ['Host', 'x', 'X-Thing', 'two words', 'Content-Length', '12']);
  assert.equal(parsed('GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked').contentLength, -1);
  assert.equal(parsed('GET / HTTP/1.1\r\nHost: x\r\nConnection: Close').keepAlive, false);
  assert.equal(parsed('GET / HTTP/1.0').keepAlive, false);
  assert.equal(parsed('GET / HTTP/1.0\r\nConnection: keep-alive').keepAlive, true);
  assert.equal(parsed('GET / HTTP/1.0').hasHost, false);
  assert.equal(parsed('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket').upgrade, 'websocket');
  assert.equal(parsed('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket').upgrade, undefined);
  assert.equal(parsed('PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1').expectContinue, true);
});

test('what a strict server refuses', () => {
  assert.equal(status('GET /'), 400);
  assert.equal(status('GET  / HTTP/1.1\r\nHost: x'), 400);
  assert.equal(status('G(T / HTTP/1.1\r\nHost: x'), 400);
  assert.equal(status('GET / HTTP/2.0\r\nHost: x'), 505);
  assert.equal(status('GET / HTTP/1.1'), 400, 'HTTP/1.1 without Host');
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nHost: y'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nX: 1\r\n folded'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked'), 501);
  assert.equal(status('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1'), undefined);
});

function scanAll(framer: BodyFramer, pieces: readonly string[]): number[] {
  return pieces.map((piece) => framer.scan(Buffer.from(piece, 'latin1')));
}

test('a Content-Length body ends after its bytes', () => {
  const framer = new BodyFramer(5);
  assert.deepEqual(scanAll(framer, ['abc', 'deGET']), [3, 2]);
  assert.equal(framer.done, true);
  assert.equal(new BodyFramer(0).done, true);
});

test('a chunked body ends after the last chunk and the trailers, split anywhere', () => {
  const body = '5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n';
  const next = 'GET / HTTP/1.1\r\n';
  for (let cut = 1; cut < body.length; cut++) {
    const framer = new BodyFramer(-1);
    const taken = scanAll(framer, [body.slice(0, cut), body.slice(cut) + next]);
    assert.equal(taken[0]! + taken[1]!, body.length, `cut at ${cut}`);
    assert.equal(framer.done, true);
  }
  assert.throws(() => new BodyFramer(-1).scan(Buffer.from('zz\r\n')), /Bad chunk size/);
  assert.throws(() => new BodyFramer(-1).scan(Buffer.from('1\r\nab')), /CRLF/);
});
