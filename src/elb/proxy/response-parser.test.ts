import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseParser } from './response-parser.ts';

function parse(pieces: readonly string[], options: { head?: boolean; close?: boolean } = {}) {
  const seen = { status: 0, reason: '', headers: [] as string[], body: '', ended: undefined as boolean | undefined };
  const parser = new ResponseParser(
    {
      head: (status, reason, headers) => Object.assign(seen, { status, reason, headers }),
      body: (chunk) => (seen.body += chunk.toString('latin1')),
      end: (reusable) => (seen.ended = reusable),
    },
    options.head ?? false,
  );
  for (const piece of pieces) parser.feed(Buffer.from(piece, 'latin1'));
  if (options.close) parser.close();
  return seen;
}

test('content-length body, split anywhere', () => {
  const whole = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello';
  for (let cut = 1; cut < whole.length; cut++) {
    const seen = parse([whole.slice(0, cut), whole.slice(cut)]);
    assert.deepEqual([seen.status, seen.reason, seen.body, seen.ended], [200, 'OK', 'hello', true], `cut at ${cut}`);
    assert.deepEqual(seen.headers, ['Content-Length', '5', 'X-A', 'b']);
  }
});

test('chunked body is decoded and trailers dropped, split anywhere', () => {
  const whole =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n';
  for (let cut = 1; cut < whole.length; cut++) {
    const seen = parse([whole.slice(0, cut), whole.slice(cut)]);
    assert.deepEqual([seen.body, seen.ended], ['hello!', true], `cut at ${cut}`);
  }
});

test('interim 100 Continue is skipped', () => {
  const seen = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n']);
  assert.deepEqual([seen.status, seen.ended], [201, true]);
});

test('no body for HEAD, 204 and 304', () => {
  assert.equal(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], { head: true }).ended, true);
  assert.equal(parse(['HTTP/1.1 204 No Content\r\n\r\n']).ended, true);
  assert.equal(parse(['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n']).ended, true);
});

test('a body without length runs until close and the connection is not reused', () => {
  const seen = parse(['HTTP/1.1 200 OK\r\n\r\nsome', ' bytes'], { close: true });
  assert.deepEqual([seen.body, seen.ended], ['some bytes', false]);
});

test('Connection: close and HTTP/1.0 without keep-alive are not reusable', () => {
  assert.equal(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).ended, false);
  assert.equal(parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).ended, false);
  assert.equal(parse(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n']).ended, true);
});

test('malformed responses throw', () => {
  assert.throws(() => parse(['SSH-2.0-OpenSSH\r\n\r\n']));
  assert.throws(() => parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']));
  assert.throws(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi'], { close: true }));
});
