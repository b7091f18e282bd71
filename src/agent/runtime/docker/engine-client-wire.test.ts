import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DockerEngine, DockerEngineError, dockerEndpoint } from './engine-client.ts';

// The client's side of the wire, against a fake daemon on 127.0.0.1: what it sends, and how it
// reads answers the real engine rarely produces on demand (mid-stream errors, split frames, races).

type Handler = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void;

describe('DockerEngine on the wire', () => {
  let server: http.Server;
  let engine: DockerEngine;
  let handler: Handler;
  const seen: { method: string; url: URL; headers: http.IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const url = new URL(request.url!, 'http://docker');
        seen.push({ method: request.method!, url, headers: request.headers, body: body.toString() });
        handler(request, body, response);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    engine = new DockerEngine({ dockerHost: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  after(() => {
    engine.close();
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  function answer(status: number, body?: unknown): Handler {
    return (_request, _body, response) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(body === undefined ? '' : JSON.stringify(body));
    };
  }

  it('pulls by digest with X-Registry-Auth as padded base64url JSON, and reports the digest', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    handler = (_request, _body, response) => {
      response.writeHead(200);
      response.write('{"status":"Pulling from web"}\r\n{"status":"Digest: ');
      response.end(`${digest}"}\r\n{"status":"Status: Downloaded newer image"}\r\n`);
    };
    const auth = { username: 'AWS', password: 'p>?~w', serveraddress: 'localhost:4510' };
    const pulled = await engine.pullImage(`localhost:4510/web@${digest}`, { auth });
    assert.deepEqual(pulled, { digest });
    const [request] = seen;
    assert.equal(request?.url.pathname, '/v1.41/images/create');
    assert.equal(request?.url.searchParams.get('fromImage'), 'localhost:4510/web');
    assert.equal(request?.url.searchParams.get('tag'), digest);
    const header = String(request?.headers['x-registry-auth']);
    assert.match(header, /^[A-Za-z0-9_-]+=*$/);
    assert.equal(header.length % 4, 0);
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), auth);
  });

  it('rejects a pull whose progress stream reports an error', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200);
      response.end(
        '{"status":"Pulling fs layer"}\n{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\n',
      );
    };
    await assert.rejects(engine.pullImage('web'), (error: unknown) => {
      assert.ok(error instanceof DockerEngineError);
      assert.equal(error.message, 'unexpected EOF');
      return true;
    });
    assert.equal(seen[0]?.url.searchParams.get('tag'), 'latest'); // never "all tags"
  });

  it("turns an error status into a DockerEngineError with the daemon's message", async () => {
    handler = answer(409, { message: 'Conflict. The container name "/x" is already in use' });
    await assert.rejects(engine.createContainer('x', { Image: 'busybox' }), {
      name: 'DockerEngineError',
      statusCode: 409,
      message: 'Conflict. The container name "/x" is already in use',
    });
    assert.equal(seen[0]?.url.searchParams.get('name'), 'x');
    assert.deepEqual(JSON.parse(seen[0]!.body), { Image: 'busybox' });
    assert.equal(seen[0]?.headers['content-type'], 'application/json');
  });

  it('treats 404 as absent and 304 as done where that is the caller’s intent', async () => {
    handler = answer(404, { message: 'No such container: x' });
    assert.equal(await engine.inspectContainer('x'), undefined);
    assert.equal(await engine.inspectImage('x'), undefined);
    await engine.removeContainer('x', { force: true, volumes: true });
    assert.equal(seen[2]?.url.search, '?force=true&v=true');
    await engine.removeNetwork('x');
    await engine.removeVolume('x');
    await assert.rejects(engine.startContainer('x'), { statusCode: 404 });
    handler = answer(304);
    await engine.stopContainer('x', 7);
    await engine.startContainer('x');
    assert.equal(seen.at(-2)?.url.search, '?t=7');
  });

  it('reads a network by exact name, and one sample of container stats', async () => {
    const network = { Id: 'n1', Name: 'berth-awsvpc', Driver: 'bridge', IPAM: { Config: [] }, Labels: {} };
    handler = answer(200, network);
    assert.deepEqual(await engine.inspectNetwork('berth-awsvpc'), network);
    assert.equal(seen[0]?.url.pathname, '/v1.41/networks/berth-awsvpc');
    // GET /networks/{x} also matches an ID prefix: a network with another name does not count.
    assert.equal(await engine.inspectNetwork('berth'), undefined);
    handler = answer(200, { read: '2020-01-01T00:00:00Z', cpu_stats: {} });
    assert.deepEqual(await engine.containerStats('c1'), { read: '2020-01-01T00:00:00Z', cpu_stats: {} });
    assert.equal(seen.at(-1)?.url.pathname, '/v1.41/containers/c1/stats');
    assert.equal(seen.at(-1)?.url.search, '?stream=false');
    handler = answer(404, { message: 'No such container: c2' });
    assert.equal(await engine.containerStats('c2'), undefined);
  });

  it('filters containers by labels, a label without a value only having to be present', async () => {
    handler = answer(200, []);
    await engine.listContainers({
      all: true,
      labels: { 'com.amazonaws.ecs.cluster': 'default', 'berth.agent': undefined },
    });
    assert.equal(seen[0]?.url.searchParams.get('all'), 'true');
    assert.deepEqual(JSON.parse(seen[0]!.url.searchParams.get('filters')!), {
      label: { 'com.amazonaws.ecs.cluster=default': true, 'berth.agent': true },
    });
  });

  it('creates a missing network once for concurrent callers, and adopts one created by a racing process', async () => {
    let creates = 0;
    handler = (request, _body, response) => {
      if (request.method === 'GET') return answer(404, { message: 'network web not found' })(request, _body, response);
      creates += 1;
      answer(201, { Id: 'n1' })(request, _body, response);
    };
    assert.deepEqual(await Promise.all([engine.ensureNetwork('web'), engine.ensureNetwork('web')]), ['n1', 'n1']);
    assert.equal(creates, 1);
    assert.deepEqual(JSON.parse(seen.at(-1)!.body), {
      Name: 'web',
      Driver: 'bridge',
      Labels: {},
      CheckDuplicate: true,
    });

    let looks = 0;
    handler = (request, _body, response) => {
      if (request.method === 'POST')
        return answer(409, { message: 'network with name web already exists' })(request, _body, response);
      looks += 1;
      // GET /networks/{x} also matches an ID prefix: a network with another name does not count.
      answer(200, looks === 1 ? { Id: 'web123', Name: 'other' } : { Id: 'n2', Name: 'web' })(request, _body, response);
    };
    assert.equal(await engine.ensureNetwork('web'), 'n2');
  });

  it('reads log frames split across writes and ends quietly when aborted', async () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const bytes = Buffer.concat([frame(1, '2024-01-01T00:00:00.5Z out\n'), frame(2, '2024-01-01T00:00:01Z err\n')]);
    handler = (_request, _body, response) => {
      response.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
      response.write(bytes.subarray(0, 5));
      setTimeout(() => response.write(bytes.subarray(5, 40)), 10);
      setTimeout(() => response.write(bytes.subarray(40)), 20);
      // ...and the stream stays open, as `follow` does for a running container.
    };
    const controller = new AbortController();
    const lines: string[] = [];
    for await (const entry of engine.containerLogs('c1', {
      follow: true,
      since: new Date(1_700_000_000_250),
      signal: controller.signal,
    })) {
      lines.push(`${entry.stream} ${entry.timestamp.toISOString()} ${entry.line}`);
      if (lines.length === 2) controller.abort();
    }
    assert.deepEqual(lines, ['stdout 2024-01-01T00:00:00.500Z out', 'stderr 2024-01-01T00:00:01.000Z err']);
    const query = seen[0]!.url.searchParams;
    assert.equal(seen[0]?.url.pathname, '/v1.41/containers/c1/logs');
    assert.deepEqual(
      [query.get('stdout'), query.get('stderr'), query.get('timestamps'), query.get('follow'), query.get('since')],
      ['true', 'true', 'true', 'true', '1700000000.250'],
    );
  });

  it('reads the log file again after a follow ends, for output Docker had not flushed yet', async () => {
    const frame = (text: string) => {
      const header = Buffer.alloc(8);
      header[0] = 1;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    handler = (request, _body, response) => {
      const url = new URL(request.url!, 'http://docker');
      if (url.pathname.endsWith('/wait')) return answer(200, { StatusCode: 0 })(request, _body, response);
      response.writeHead(200);
      if (url.searchParams.get('follow') === 'true') {
        return response.end(
          Buffer.concat([frame('2024-01-01T00:00:00.1Z one\n'), frame('2024-01-01T00:00:00.2Z two\n')]),
        );
      }
      // From the last line's time: that line again, then the one the follow missed.
      response.end(Buffer.concat([frame('2024-01-01T00:00:00.2Z two\n'), frame('2024-01-01T00:00:00.2Z three')]));
    };
    const lines: string[] = [];
    for await (const entry of engine.containerLogs('c2', { follow: true, tail: 10 })) lines.push(entry.line);
    assert.deepEqual(lines, ['one', 'two', 'three']);
    const [, wait, again] = seen;
    assert.equal(wait?.url.pathname, '/v1.41/containers/c2/wait');
    assert.equal(again?.url.searchParams.get('follow'), 'false');
    assert.equal(
      again?.url.searchParams.get('since'),
      '1704067200.200', // 2024-01-01T00:00:00.2Z
    );
    assert.equal(again?.url.searchParams.get('tail'), 'all');
  });

  it('imports a tar with its changes as repeated parameters and returns the image ID', async () => {
    handler = answer(200, { status: 'sha256:abc' });
    const id = await engine.importImage(Buffer.from('tar'), {
      repository: 'berth/pause',
      tag: '1',
      changes: ['CMD ["/pause"]', 'ENV A=1'],
    });
    assert.equal(id, 'sha256:abc');
    assert.deepEqual(seen[0]!.url.searchParams.getAll('changes'), ['CMD ["/pause"]', 'ENV A=1']);
    assert.equal(seen[0]!.url.searchParams.get('fromSrc'), '-');
    assert.equal(seen[0]!.headers['content-type'], 'application/x-tar');
    assert.equal(seen[0]!.body, 'tar');
  });
});

describe('dockerEndpoint', () => {
  const cases = [
    ['', { socketPath: '/var/run/docker.sock' }],
    ['unix:///run/user/1000/docker.sock', { socketPath: '/run/user/1000/docker.sock' }],
    ['tcp://10.0.0.5:2375', { host: '10.0.0.5', port: 2375 }],
    ['tcp://docker', { host: 'docker', port: 2375 }],
    ['tcp://[::1]:2376', { host: '::1', port: 2376 }],
  ] as const;
  for (const [dockerHost, expected] of cases) {
    it(`${dockerHost} → ${JSON.stringify(expected)}`, () => assert.deepEqual(dockerEndpoint(dockerHost), expected));
  }
  it('refuses schemes it cannot speak', () => {
    assert.throws(() => dockerEndpoint('ssh://me@host'), /unsupported DOCKER_HOST/);
  });
});
