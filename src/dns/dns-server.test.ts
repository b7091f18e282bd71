import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decode } from 'dns-packet';
import { eventually } from '../../testing/elb-proxy.ts';
import { encodeQuery, fakeZones, tcpExchange, udpExchange, withLength } from '../../testing/dns.ts';
import { createLogger } from '../shared/logger.ts';
import { startDnsServer, type DnsServer } from './index.ts';

const log = createLogger('silent');

/** Node's own resolver (c-ares), pointed at the server only: a real client. */
function resolverFor(port: number): Resolver {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

describe('DNS server on 127.0.0.1 (UDP and TCP)', () => {
  let server: DnsServer;
  let resolver: Resolver;
  before(async () => {
    server = await startDnsServer({ addresses: ['127.0.0.1'], port: 0, zones: fakeZones(), upstream: [], log });
    resolver = resolverFor(server.port);
  });
  after(() => server.close());

  it('answers A, AAAA, SRV and CNAME questions from the zones to a real resolver', async () => {
    assert.deepEqual(await resolver.resolve4('api.local', { ttl: true }), [
      { address: '10.0.0.1', ttl: 10 },
      { address: '10.0.0.2', ttl: 10 },
    ]);
    assert.deepEqual(await resolver.resolve6('API.local'), ['fd00::1']);
    const [srv] = await resolver.resolveSrv('_http._tcp.api.local');
    assert.deepEqual({ ...srv }, { name: 'api.local', port: 8080, priority: 1, weight: 1, type: 'SRV' });
    assert.deepEqual(await resolver.resolveCname('www.local'), ['api.local']);
    assert.deepEqual(await resolver.resolve4('www.local'), ['10.0.0.1', '10.0.0.2']);
  });

  it('gives a real resolver NXDOMAIN and NODATA', async () => {
    await assert.rejects(resolver.resolve4('nope.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolveTxt('api.local'), { code: 'ENODATA' });
  });

  it('refuses names outside the zones when it has no upstream', async () => {
    await assert.rejects(resolver.resolve4('example.com'), { code: 'EREFUSED' });
  });

  it('truncates a UDP answer that does not fit, and the client gets it all over TCP', async () => {
    const query = encodeQuery('many.local', 'A', { id: 321 });
    const udp = decode(await udpExchange(server.port, query));
    assert.equal(udp.id, 321);
    assert.equal(udp.flag_tc, true);
    assert.equal(udp.answers?.length, 0);
    const [tcp] = await tcpExchange(server.port, [withLength(query)], 1);
    assert.equal(decode(tcp!).answers?.length, 100);
    // c-ares sees TC and asks again over TCP by itself.
    assert.equal((await resolver.resolve4('many.local')).length, 100);
  });

  it('answers pipelined TCP queries, and a query sent a byte at a time', async () => {
    const queries = ['api.local', 'www.local', 'nope.local'].map((name, id) => encodeQuery(name, 'A', { id }));
    const replies = await tcpExchange(server.port, [Buffer.concat(queries.map(withLength))], 3);
    assert.deepEqual(replies.map((reply) => decode(reply).id).sort(), [0, 1, 2]);
    const bytes = withLength(encodeQuery('api.local', 'AAAA', { id: 99 }));
    const [reply] = await tcpExchange(
      server.port,
      [...bytes].map((byte) => Buffer.of(byte)),
      1,
    );
    assert.equal(decode(reply!).id, 99);
  });

  it('survives random datagrams and TCP garbage, and answers FORMERR where it can', async () => {
    // In rounds of 20, awaited: a burst of 300 would overflow the socket's receive buffer.
    const socket = createSocket('udp4');
    const rcodes: number[] = [];
    socket.on('message', (reply) => rcodes.push(reply.readUInt16BE(2) & 0xf));
    try {
      for (let round = 0; round < 15; round++) {
        for (let i = 0; i < 20; i++) {
          const bytes = Buffer.from(
            Array.from({ length: 12 + ((i * 37) % 600) }, () => Math.floor(Math.random() * 256)),
          );
          bytes.writeUInt16BE(bytes.readUInt16BE(2) & 0x07ff, 2); // a query, opcode 0: reaches the decoder
          socket.send(bytes, server.port, '127.0.0.1');
        }
        await eventually(() => rcodes.length === (round + 1) * 20, 'a reply to each random datagram');
      }
    } finally {
      socket.close();
    }
    assert.ok(rcodes.filter((rcode) => rcode === 1).length > 250, 'mostly FORMERR');
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131) % 256));
    await tcpExchange(server.port, [garbage], 1, 1000).catch(() => {});
    assert.deepEqual(await resolver.resolve4('api.local'), ['10.0.0.1', '10.0.0.2']);
  });
});

describe('DNS server limits', () => {
  it('closes TCP connections over the limit, and idle ones', async () => {
    const server = await startDnsServer({
      addresses: ['127.0.0.1'],
      port: 0,
      zones: fakeZones(),
      upstream: [],
      log,
      maxTcpConnections: 2,
      tcpIdleTimeoutMs: 300,
    });
    try {
      const open = (): Promise<{ socket: Socket; closed: () => boolean }> =>
        new Promise((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port: server.port });
          let closed = false;
          socket.on('close', () => (closed = true));
          socket.on('error', () => {});
          socket.once('connect', () => resolve({ socket, closed: () => closed }));
          socket.once('error', reject);
        });
      const first = await open();
      const second = await open();
      await eventually(() => !first.closed() && !second.closed(), 'two connections');
      const third = await open();
      await eventually(third.closed, 'the third connection closed by the server');
      assert.equal(first.closed() || second.closed(), false);
      // The first two go idle and are closed; then a new connection is served.
      await eventually(() => first.closed() && second.closed(), 'idle connections closed', 3000);
      const [reply] = await tcpExchange(server.port, [withLength(encodeQuery('api.local', 'A'))], 1);
      assert.equal(decode(reply!).answers?.length, 2);
    } finally {
      await server.close();
    }
  });

  it('listens on several addresses on one port, UDP and TCP', async () => {
    const server = await startDnsServer({
      addresses: ['127.0.0.1', '127.0.0.2'],
      port: 0,
      zones: fakeZones(),
      upstream: [],
      log,
    });
    try {
      for (const address of server.addresses) {
        const resolver = new Resolver({ timeout: 2000, tries: 1 });
        resolver.setServers([`${address}:${server.port}`]);
        assert.deepEqual(await resolver.resolve6('api.local'), ['fd00::1'], address);
      }
    } finally {
      await server.close();
    }
  });
});
