import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  aListener,
  aTargetGroup,
  eventually,
  forwardRule,
  freePort,
  get,
  startTarget,
  type TestTarget,
} from '../../../testing/elb-proxy.ts';
import { ListenerPortInUseError, type DataPlane } from '../data-plane-contract.ts';
import { createProxyDataPlane } from './proxy-data-plane.ts';

function allHealthy(plane: DataPlane, arn: string, count: number): () => boolean {
  return () => plane.targetHealth(arn).filter((view) => view.state === 'healthy').length === count;
}

describe('proxy data plane', () => {
  const targets: TestTarget[] = [];
  let plane: DataPlane;
  let a: TestTarget;
  let b: TestTarget;
  let c: TestTarget;
  before(async () => {
    a = await startTarget('a');
    b = await startTarget('b');
    c = await startTarget('c');
    targets.push(a, b, c);
  });
  after(async () => {
    await Promise.all(targets.map((target) => target.close()));
  });
  test.beforeEach(() => {
    plane = createProxyDataPlane();
    for (const target of targets) target.hits = 0;
  });
  test.afterEach(() => plane.close());

  test('round robin spreads requests evenly over three healthy targets', async () => {
    const port = await freePort();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ tg: 1 })])],
      targetGroups: [aTargetGroup('tg', [a, b, c])],
    });
    await eventually(allHealthy(plane, 'tg', 3), 'three healthy targets');
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await get(port)).body);
    assert.deepEqual(seen.toSorted(), ['a', 'a', 'b', 'b', 'c', 'c']);
    assert.notEqual(seen[0], seen[1]);
  });

  test('502 when the target refuses, 503 with no registered targets, 504 when it does not answer in time', async () => {
    const [listenerPort, slowPort, emptyPort, deadPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const silent = await startTarget('silent', () => {}); // never answers
    targets.push(silent);
    const noCheck = { healthCheck: { ...aTargetGroup('x', []).healthCheck, enabled: false } };
    await plane.apply({
      listeners: [
        aListener(listenerPort, [forwardRule({ dead: 1 })]),
        aListener(emptyPort, [forwardRule({ empty: 1 })]),
        aListener(slowPort, [forwardRule({ silent: 1 })], 0.3),
      ],
      targetGroups: [
        aTargetGroup('dead', [{ port: deadPort }], noCheck),
        aTargetGroup('empty', []),
        aTargetGroup('silent', [silent], noCheck),
      ],
    });
    const refused = await get(listenerPort);
    assert.equal(refused.status, 502);
    assert.match(refused.body, /<title>502 Bad Gateway<\/title>/);
    assert.equal((await get(emptyPort)).status, 503);
    const started = Date.now();
    assert.equal((await get(slowPort)).status, 504);
    assert.ok(Date.now() - started >= 250, 'the 504 waits for the idle timeout');
    assert.deepEqual(
      plane.targetHealth('dead').map((view) => [view.state, view.reason]),
      [['unavailable', 'Target.HealthCheckDisabled']],
    );
  });

  test('adds X-Forwarded-* and X-Amzn-Trace-Id and strips hop-by-hop headers', async () => {
    const echo = await startTarget('echo', (req, res) => res.end(JSON.stringify(req.headers)));
    targets.push(echo);
    const port = await freePort();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ echo: 1 })])],
      targetGroups: [aTargetGroup('echo', [echo])],
    });
    const reply = await get(port, '/', {
      headers: {
        'x-forwarded-for': '203.0.113.7',
        connection: 'keep-alive, x-secret',
        'x-secret': '1',
        te: 'trailers',
      },
    });
    const seen = JSON.parse(reply.body) as Record<string, string>;
    assert.equal(seen['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-port'], String(port));
    assert.match(seen['x-amzn-trace-id']!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(seen['x-secret'], undefined);
    assert.equal(seen.te, undefined);
    const kept = await get(port, '/', { headers: { 'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000000' } });
    assert.equal(
      (JSON.parse(kept.body) as Record<string, string>)['x-amzn-trace-id'],
      'Root=1-00000000-000000000000000000000000',
    );
  });

  test('streams bodies both ways without buffering them', async () => {
    const echo = await startTarget('stream', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
    });
    targets.push(echo);
    const port = await freePort();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ stream: 1 })])],
      targetGroups: [aTargetGroup('stream', [echo])],
    });
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' });
    req.write('ping-0');
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    const chunks = res[Symbol.asyncIterator]();
    // Each chunk comes back before the next is sent: neither side waits for a whole body.
    let echoed = '';
    for (let round = 0; round < 3; round++) {
      while (!echoed.includes(`ping-${round}`)) echoed += String((await chunks.next()).value);
      req.write(`ping-${round + 1}`);
    }
    const big = Buffer.alloc(16 * 1024 * 1024, 'x');
    req.end(big);
    let total = Buffer.byteLength(echoed);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) total += (next.value as Buffer).length;
    assert.equal(total, 4 * 'ping-0'.length + big.length);
  });

  test('a large chunked response to a GET streams through whole', async () => {
    const big = await startTarget('big', (req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 'y');
      let left = 128; // 128 × 64 KiB = 8 MiB, chunked (no Content-Length)
      const more = (): void => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    targets.push(big);
    const port = await freePort();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ big: 1 })])],
      targetGroups: [aTargetGroup('big', [big])],
    });
    const reply = await get(port, '/big');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 8 * 1024 * 1024);
    const head = await get(port, '/big', { method: 'HEAD' });
    assert.deepEqual([head.status, head.body], [200, '']);
  });

  test('a GET on a pooled connection the target has just dropped is sent again on a new one; a bodiless POST is not', async () => {
    // Answers the first request of each connection, then drops the connection when the next arrives.
    const dropper = createNetServer((socket) => {
      let served = false;
      socket.on('data', () => {
        if (served) return void socket.destroy();
        served = true;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    }).listen(0, '127.0.0.1');
    await once(dropper, 'listening');
    const dropperPort = (dropper.address() as { port: number }).port;
    const port = await freePort();
    const group = aTargetGroup('drop', [{ port: dropperPort }], {
      healthCheck: { ...aTargetGroup('x', []).healthCheck, enabled: false },
    });
    await plane.apply({ listeners: [aListener(port, [forwardRule({ drop: 1 })])], targetGroups: [group] });
    assert.equal((await get(port)).body, 'ok');
    assert.equal((await get(port)).body, 'ok'); // the pooled connection fails, a new one answers
    assert.equal((await get(port, '/', { method: 'POST' })).status, 502);
    dropper.close();
  });

  test('proxies a WebSocket upgrade and pipes the sockets', async () => {
    const port = await freePort();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ tg: 1 })])],
      targetGroups: [aTargetGroup('tg', [a])],
    });
    const req = request({ host: '127.0.0.1', port, headers: { connection: 'Upgrade', upgrade: 'websocket' } });
    req.end();
    const [res, socket] = (await once(req, 'upgrade')) as [IncomingMessage, Socket];
    assert.equal(res.statusCode, 101);
    socket.write('hello over the tunnel');
    const [data] = (await once(socket, 'data')) as [Buffer];
    assert.equal(data.toString(), 'hello over the tunnel');
    assert.deepEqual(plane.targetHealth('tg').length, 1);
    socket.destroy();
  });

  test('health checks take a failing target out of rotation and bring it back; all unhealthy fails open', async () => {
    const port = await freePort();
    await plane.apply({
      listeners: [aListener(port, [forwardRule({ tg: 1 })])],
      targetGroups: [aTargetGroup('tg', [a, b])],
    });
    await eventually(allHealthy(plane, 'tg', 2), 'two healthy targets');
    a.healthStatus = 500;
    await eventually(
      () =>
        plane
          .targetHealth('tg')
          .some((view) => view.state === 'unhealthy' && view.reason === 'Target.ResponseCodeMismatch'),
      'a unhealthy',
    );
    for (let i = 0; i < 4; i++) assert.equal((await get(port)).body, 'b');
    b.healthStatus = 500;
    await eventually(() => plane.targetHealth('tg').every((view) => view.state === 'unhealthy'), 'both unhealthy');
    const failOpen = new Set<string>();
    for (let i = 0; i < 4; i++) failOpen.add((await get(port)).body);
    assert.deepEqual([...failOpen].sort(), ['a', 'b']);
    a.healthStatus = 200;
    b.healthStatus = 200;
    await eventually(allHealthy(plane, 'tg', 2), 'both healthy again');
  });

  test('a deregistered target drains: its in-flight request finishes, new ones go elsewhere, then it is gone', async () => {
    let release = (): void => {};
    const slow = await startTarget('slow', (req, res) => {
      res.writeHead(200);
      res.write('started;');
      release = () => res.end('finished');
    });
    targets.push(slow);
    const port = await freePort();
    const listeners = [aListener(port, [forwardRule({ tg: 1 })])];
    await plane.apply({ listeners, targetGroups: [aTargetGroup('tg', [slow])] });
    const inFlight = get(port, '/slow');
    await eventually(() => slow.hits === 1, 'the slow request reaches its target');
    await plane.apply({ listeners, targetGroups: [aTargetGroup('tg', [b])] });
    const draining = plane.targetHealth('tg').find((view) => view.port === slow.port);
    assert.equal(draining?.state, 'draining');
    assert.equal(draining?.reason, 'Target.DeregistrationInProgress');
    for (let i = 0; i < 3; i++) assert.equal((await get(port)).body, 'b');
    assert.equal(slow.hits, 1);
    release();
    assert.deepEqual(await inFlight.then((reply) => [reply.status, reply.body]), [200, 'started;finished']);
    await eventually(
      () => plane.targetHealth('tg').every((view) => view.port !== slow.port),
      'the drained target gone',
    );
  });

  test('the deregistration delay cuts what is still in flight; a client that left frees its slot', async () => {
    const hung = await startTarget('hung', (req, res) => res.write('partial')); // never ends
    targets.push(hung);
    const port = await freePort();
    const listeners = [aListener(port, [forwardRule({ tg: 1 })])];
    const group = aTargetGroup('tg', [hung], { deregistrationDelaySeconds: 0.2 });
    await plane.apply({ listeners, targetGroups: [group] });
    const cut = get(port).then(
      () => 'completed',
      () => 'cut',
    );
    await eventually(() => hung.hits === 1, 'the request reaches its target');
    await plane.apply({ listeners, targetGroups: [{ ...group, targets: [] }] });
    assert.equal(plane.targetHealth('tg')[0]?.state, 'draining');
    assert.equal(await cut, 'cut');
    await eventually(() => plane.targetHealth('tg').length === 0, 'the target gone at the deadline');

    // The client hangs up: the target's in-flight count drops, so its drain ends at once.
    await plane.apply({ listeners, targetGroups: [{ ...group, deregistrationDelaySeconds: 300 }] });
    const abandoned = request({ host: '127.0.0.1', port });
    abandoned.on('error', () => {});
    abandoned.end();
    await eventually(() => hung.hits === 2, 'the second request reaches its target');
    abandoned.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await plane.apply({ listeners, targetGroups: [{ ...group, targets: [], deregistrationDelaySeconds: 300 }] });
    assert.deepEqual(plane.targetHealth('tg'), []);
  });

  test('weighted forward: 100/0 sends everything to the first group, 0/100 to the second', async () => {
    const port = await freePort();
    const groups = [aTargetGroup('blue', [a]), aTargetGroup('green', [b])];
    await plane.apply({ listeners: [aListener(port, [forwardRule({ blue: 100, green: 0 })])], targetGroups: groups });
    for (let i = 0; i < 5; i++) assert.equal((await get(port)).body, 'a');
    await plane.apply({ listeners: [aListener(port, [forwardRule({ blue: 0, green: 100 })])], targetGroups: groups });
    for (let i = 0; i < 5; i++) assert.equal((await get(port)).body, 'b');
  });

  test('rules by path and host, fixed responses, and an unused group', async () => {
    const port = await freePort();
    await plane.apply({
      listeners: [
        aListener(port, [
          forwardRule({ api: 1 }, [{ field: 'path-pattern', values: ['/api/*'] }], 1),
          forwardRule({ www: 1 }, [{ field: 'host-header', values: ['*.example.com'] }], 2),
          {
            ruleArn: 'rule/3',
            priority: 3,
            conditions: [{ field: 'path-pattern', values: ['/teapot'] }],
            action: {
              type: 'fixed-response',
              statusCode: 418,
              contentType: 'text/plain',
              messageBody: 'short and stout',
            },
          },
          forwardRule({ fallback: 1 }),
        ]),
      ],
      targetGroups: [
        aTargetGroup('api', [a]),
        aTargetGroup('www', [b]),
        aTargetGroup('fallback', [c]),
        aTargetGroup('spare', [c]),
      ],
    });
    assert.equal((await get(port, '/api/users')).body, 'a');
    assert.equal((await get(port, '/', { headers: { host: 'shop.EXAMPLE.com:8080' } })).body, 'b');
    assert.equal((await get(port, '/api/x', { headers: { host: 'shop.example.com' } })).body, 'a'); // priority 1 first
    const teapot = await get(port, '/teapot');
    assert.deepEqual([teapot.status, teapot.body], [418, 'short and stout']);
    assert.equal((await get(port, '/other')).body, 'c');
    assert.deepEqual(
      plane.targetHealth('spare').map((view) => [view.state, view.reason]),
      [['unused', 'Target.NotInUse']],
    );
  });

  test('reconciling rules keeps a keep-alive client connection open', async () => {
    const port = await freePort();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const groups = [aTargetGroup('blue', [a]), aTargetGroup('green', [b])];
    await plane.apply({ listeners: [aListener(port, [forwardRule({ blue: 1 })])], targetGroups: groups });
    assert.equal((await get(port, '/', { agent })).body, 'a');
    await plane.apply({ listeners: [aListener(port, [forwardRule({ green: 1 })])], targetGroups: groups });
    const second = await get(port, '/', { agent });
    assert.deepEqual([second.body, second.reusedSocket], ['b', true]);
    agent.destroy();
  });

  test('a port in use rejects the whole change and leaves the running listeners as they were', async () => {
    const [port, otherPort] = await Promise.all([freePort(), freePort()]);
    const squatter = createNetServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const busyPort = (squatter.address() as { port: number }).port;
    const groups = [aTargetGroup('tg', [a])];
    await plane.apply({ listeners: [aListener(port, [forwardRule({ tg: 1 })])], targetGroups: groups });
    const change = plane.apply({
      listeners: [
        aListener(port, [forwardRule({ tg: 1 })]),
        aListener(otherPort, [forwardRule({ tg: 1 })]),
        aListener(busyPort, [forwardRule({ tg: 1 })]),
      ],
      targetGroups: groups,
    });
    await assert.rejects(change, (error) => error instanceof ListenerPortInUseError && error.port === busyPort);
    assert.equal((await get(port)).body, 'a');
    await assert.rejects(get(otherPort), /ECONNREFUSED/);
    squatter.close();
  });
});
