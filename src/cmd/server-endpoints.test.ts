import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FailoverEndpoints, fetchThrough } from './server-endpoints.ts';

/** A loopback HTTP server answering every request with `status`. */
async function serving(status: number): Promise<{ server: Server; url: URL }> {
  const server = createServer((_request, response) => response.writeHead(status).end(String(status)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
}

/** A loopback port nothing listens on (one we opened and closed). */
async function closedPort(): Promise<URL> {
  const { server, url } = await serving(200);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('FailoverEndpoints', () => {
  it('keeps the current server until it fails, then takes the next, wrapping around', () => {
    const [a, b, c] = ['http://a:1', 'http://b:1', 'http://c:1'].map((u) => new URL(u));
    const moves: string[] = [];
    const endpoints = new FailoverEndpoints([a!, b!, c!], (from, to) => moves.push(`${from.host}>${to.host}`));
    assert.equal(endpoints.current(), a);
    endpoints.failed(a!, 'ECONNREFUSED');
    assert.equal(endpoints.current(), b);
    endpoints.failed(a!, 'late failure of a call that went to a'); // already moved on: no change
    assert.equal(endpoints.current(), b);
    endpoints.failed(b!, 'HTTP 503');
    endpoints.failed(c!, 'timeout');
    assert.equal(endpoints.current(), a);
    assert.deepEqual(moves, ['a:1>b:1', 'b:1>c:1', 'c:1>a:1']);
  });
});

describe('fetchThrough', () => {
  let up: { server: Server; url: URL };
  let failing: { server: Server; url: URL };
  before(async () => {
    up = await serving(200);
    failing = await serving(503);
  });
  after(() => {
    up.server.close();
    failing.server.close();
  });

  it('tries the next server at once when the connection is refused (nothing was sent)', async () => {
    const endpoints = new FailoverEndpoints([await closedPort(), up.url]);
    const response = await fetchThrough(endpoints, (url) => fetch(url));
    assert.equal(response.status, 200);
    assert.equal(endpoints.current(), up.url);
  });

  it('moves on after a 5xx but hands the answer to the caller, whose retry reaches the next server', async () => {
    const endpoints = new FailoverEndpoints([failing.url, up.url]);
    assert.equal((await fetchThrough(endpoints, (url) => fetch(url))).status, 503);
    assert.equal((await fetchThrough(endpoints, (url) => fetch(url))).status, 200);
  });

  it('throws when every server refuses, each tried once', async () => {
    const tried: string[] = [];
    const endpoints = new FailoverEndpoints([await closedPort(), await closedPort()]);
    await assert.rejects(
      fetchThrough(endpoints, (url) => {
        tried.push(url.host);
        return fetch(url);
      }),
    );
    assert.equal(tried.length, 2);
  });

  it("does not move on when the caller's own abort ends the request", async () => {
    const endpoints = new FailoverEndpoints([up.url, failing.url]);
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(fetchThrough(endpoints, (url) => fetch(url, { signal: abort.signal }), abort.signal));
    assert.equal(endpoints.current(), up.url);
  });
});
