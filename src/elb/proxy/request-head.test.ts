import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFramer, chunkSize, trailerProblem } from './body-framer.ts';
import { hasBadHeadByte, headStartError, isHeadError, parseRequestHead, type RequestHead } from './request-head.ts';

function parsed(text: string): RequestHead {
  const head = parseRequestHead(text);
  if (isHeadError(head)) throw new Error(head.message);
  return head;
}

/** The status the listener refuses a head with: its bytes checked first, then its text. */
function status(text: string): number | undefined {
  if (hasBadHeadByte(Buffer.from(`${text}\r\n\r\n`, 'latin1'), 0, 0, text.length)) return 400;
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
});

test('a malformed head is refused whatever part of it is malformed', () => {
  const cases: [string, string, number][] = [
    [
      'a duplicate Content-Length, even an equal one',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1',
      400,
    ],
    ['a Content-Length list', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1', 400],
    ['a bare CR in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\rb', 400],
    ['a bare CR ending a line', 'GET / HTTP/1.1\r\nHost: x\rX: y', 400],
    ['a bare LF ending a field line', 'GET / HTTP/1.1\r\nHost: x\nX: y', 400],
    ['a bare LF ending the request line', 'GET / HTTP/1.1\nHost: x', 400],
    ['NUL in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\0b', 400],
    ['another control character in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\x0bb', 400],
    ['DEL in a value', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\x7fb', 400],
    ['NUL in the path', 'GET /a\0b HTTP/1.1\r\nHost: x', 400],
    ['HTAB in the path', 'GET /a\tb HTTP/1.1\r\nHost: x', 400],
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: x', 400],
    ['a mixed-case method', 'Get / HTTP/1.1\r\nHost: x', 400],
    ['a method with a digit', 'G3T / HTTP/1.1\r\nHost: x', 400],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443', 400],
    ['TRACE', 'TRACE / HTTP/1.1\r\nHost: x', 405],
    ['a target that is not a path', 'GET foo HTTP/1.1\r\nHost: x', 400],
    ['an asterisk but for OPTIONS', 'GET * HTTP/1.1\r\nHost: x', 400],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x', 400],
    ['a trailing space after the version', 'GET / HTTP/1.1 \r\nHost: x', 400],
  ];
  for (const [what, text, expected] of cases) assert.equal(status(text), expected, what);
  assert.equal(status('OPTIONS * HTTP/1.1\r\nHost: x'), undefined);
  assert.equal(status('GET http://x/a HTTP/1.1\r\nHost: x'), undefined);
  assert.equal(status('M-SEARCH / HTTP/1.1\r\nHost: x'), undefined);
  assert.equal(status('GET /caf\xe9 HTTP/1.1\r\nHost: x\r\nX: \ttab and obs-text \xe9'), undefined);
});

test('the start of a head still arriving is refused as soon as it cannot be HTTP', () => {
  const errorOf = (text: string, from = 0): number | undefined =>
    headStartError(Buffer.from(text, 'latin1'), 0, from)?.status;
  assert.equal(errorOf('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'), 400, 'a TLS ClientHello');
  assert.equal(errorOf('GET / HTTP/1.1\nHost: x\n'), 400, 'bare LF line endings');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: x\rY'), 400, 'a bare CR');
  assert.equal(errorOf('SSH-2.0-OpenSSH_9.6\r\n'), 400, 'a complete line that is no request line');
  assert.equal(errorOf('get / HTTP/1.1\r\n'), 400);
  assert.equal(errorOf('GET / HTTP/2.0\r\n'), 505);
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: x\r'), undefined, 'a CR whose LF has not come yet');
  assert.equal(errorOf('GET /still-arriving'), undefined);
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: x\r\n'), undefined);
  // Bytes before `from` were looked at already: a CR there still pairs with the LF after it.
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: x\r\n', 24), undefined);
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: x\rX', 24), 400);
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
  const body = '5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Checksum: x\r\n\r\n';
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

test('a head checked as it arrives, cut anywhere, gets the answer it gets whole', () => {
  const cases: [string, number | undefined][] = [
    ['GET / HTTP/1.1\r\nHost: x\r\nX: a\tb\r\n', undefined],
    ['GET / HTTP/1.1\r\nHost: x\rX: y\r\n', 400],
    ['GET / HTTP/1.1\nHost: x\n', 400],
    ['GET /\t HTTP/1.1\r\nHost: x\r\n', 400],
  ];
  for (const [text, expected] of cases) {
    const whole = Buffer.from(text, 'latin1');
    for (let cut = 1; cut < text.length; cut++) {
      const error = headStartError(whole.subarray(0, cut), 0, 0) ?? headStartError(whole, 0, cut);
      assert.equal(error?.status, expected, `${JSON.stringify(text)} cut at ${cut}`);
    }
  }
});

test('a chunk-size line is hex digits, then nothing or an extension', () => {
  const cases: [string, number][] = [
    ['5', 5],
    ['1A', 26],
    ['00000000000f', 15],
    ['5;name=value', 5],
    ['5 ;name', 5], // BWS before the extension (RFC 9112 §7.1.1)
    [' 5', -1],
    ['5 ', -1],
    ['\t5', -1],
    ['', -1],
    ['x', -1],
    ['5x', -1],
    ['-5', -1],
    ['0x5', -1],
    ['1000000000000', -1], // 13 digits: too long
    ['fffffffffffff', -1], // overflow
    ['5;a\0b', -1],
    ['5;a\rb', -1],
  ];
  for (const [line, size] of cases) assert.equal(chunkSize(line), size, JSON.stringify(line));
});

test('a trailer may not frame, route or rewrite the request', () => {
  for (const line of ['Content-Length: 5', 'transfer-encoding: chunked', 'Host: evil', 'Connection: close']) {
    assert.match(trailerProblem(line) ?? '', /not allowed in a trailer/, line);
  }
  for (const line of ['X: a\0b', 'Bad Name: 1', ' folded', 'no-colon']) assert.ok(trailerProblem(line), line);
  assert.equal(trailerProblem('X-Checksum: abc'), undefined);
});

test('malformed chunked framing throws wherever it is', () => {
  const bodies = [
    ' 5\r\nhello\r\n0\r\n\r\n',
    '5 \r\nhello\r\n0\r\n\r\n',
    '5\nhello\r\n0\r\n\r\n',
    '5\r\nhello\n0\r\n\r\n',
    '5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n',
    '5\r\nhello\r\n0\r\nX: 1\n\r\n',
    '5\r\nhello\r\n0\r\n\n',
  ];
  for (const body of bodies)
    assert.throws(() => new BodyFramer(-1).scan(Buffer.from(body, 'latin1')), JSON.stringify(body));
});
