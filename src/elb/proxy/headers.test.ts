import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientIp, newTraceId, requestHeaders, responseHeaders } from './headers.ts';

test('request headers: hop-by-hop and Connection-listed fields go, X-Forwarded-* are set', () => {
  const out = requestHeaders(
    [
      'Host',
      'a',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      '1',
      'X-Forwarded-For',
      '1.1.1.1',
      'X-Forwarded-Proto',
      'https',
      'Keep-Alive',
      'timeout=5',
    ],
    { clientIp: '10.0.0.9', listenerPort: 8080, nowMs: 0x5f5e1000 * 1000 },
  );
  const pairs = Object.fromEntries(Array.from({ length: out.length / 2 }, (_, i) => [out[2 * i]!, out[2 * i + 1]!]));
  assert.equal(pairs.Host, 'a');
  assert.equal(pairs['X-Hop'], undefined);
  assert.equal(pairs.Connection, undefined);
  assert.equal(pairs['Keep-Alive'], undefined);
  assert.equal(pairs['X-Forwarded-For'], '1.1.1.1, 10.0.0.9');
  assert.equal(pairs['X-Forwarded-Proto'], 'http');
  assert.equal(pairs['X-Forwarded-Port'], '8080');
  assert.match(pairs['X-Amzn-Trace-Id']!, /^Root=1-5f5e1000-[0-9a-f]{24}$/);
});

test('an upgrade keeps Connection: Upgrade and the protocol', () => {
  const out = requestHeaders(['Connection', 'Upgrade', 'Upgrade', 'websocket'], {
    clientIp: '1.2.3.4',
    listenerPort: 80,
    nowMs: 0,
    upgrade: 'websocket',
  });
  assert.deepEqual(out.slice(-4), ['Connection', 'Upgrade', 'Upgrade', 'websocket']);
});

test('response headers lose hop-by-hop fields', () => {
  assert.deepEqual(
    responseHeaders(['Content-Type', 'text/plain', 'Transfer-Encoding', 'chunked', 'Connection', 'close']),
    ['Content-Type', 'text/plain'],
  );
});

test('trace ids differ, client ips are plain IPv4', () => {
  assert.notEqual(newTraceId(0), newTraceId(0));
  assert.equal(clientIp('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(clientIp('::1'), '::1');
});

test('a request without Host gets the target as Host', () => {
  const out = requestHeaders([], { clientIp: '1.2.3.4', listenerPort: 80, nowMs: 0, defaultHost: '10.0.0.5:8080' });
  assert.deepEqual(out.slice(-2), ['Host', '10.0.0.5:8080']);
  const kept = requestHeaders(['host', 'a'], { clientIp: '1.2.3.4', listenerPort: 80, nowMs: 0, defaultHost: 'x' });
  assert.equal(kept.filter((value) => value === 'Host').length, 0);
});
