import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { decode, encode } from 'dns-packet';
import { eventually } from '../../testing/elb-proxy.ts';
import { encodeQuery, fakeZones, tcpExchange, udpExchange, withLength } from '../../testing/dns.ts';
import { createLogger } from '../shared/logger.ts';
import { startDnsServer, type DnsServer } from './index.ts';
import { MessageFramer } from './message-framer.ts';

const log = createLogger('silent');

type Behaviour = (query: Buffer, transport: 'udp' | 'tcp') => Buffer[];

/** An upstream answer to `query`: its id and question, `example.com A 192.0.2.1`, TC if asked. */
function answerTo(query: Buffer, options: { rcode?: number; truncated?: boolean } = {}): Buffer {
  const asked = decode(query);
  return encode({
    type: 'response',
    id: asked.id,
    flags: 0x0180 | (options.truncated ? 0x0200 : 0) | (options.rcode ?? 0), // RD RA (TC) rcode
    questions: asked.questions,
    answers:
      options.truncated || options.rcode ? [] : [{ type: 'A', name: 'example.com', ttl: 300, data: '192.0.2.1' }],
  });
}

/** A resolver on 127.0.0.1 (UDP and TCP, one port) that answers as `behaviour` says and records what it got. */
async function startFakeUpstream(behaviour: Behaviour) {
  const udp: UdpSocket = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  const received: { query: Buffer; transport: 'udp' | 'tcp' }[] = [];
  const sent: Buffer[] = [];
  udp.on('message', (query, peer) => {
    received.push({ query, transport: 'udp' });
    for (const reply of behaviour(query, 'udp')) udp.send((sent.push(reply), reply), peer.port, peer.address);
  });
  const connections = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    connections.add(socket);
    const framer = new MessageFramer();
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const query of framer.push(chunk)) {
        received.push({ query, transport: 'tcp' });
        for (const reply of behaviour(query, 'tcp')) socket.write(withLength((sent.push(reply), reply)));
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${port}`,
    received,
    sent,
    close: async () => {
      udp.close();
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}

/** A UDP port with nothing on it: the kernel answers ICMP port unreachable. */
async function closedPort(): Promise<string> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return `127.0.0.1:${port}`;
}

describe('forwarding names outside the zones', () => {
  const closers: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });
  async function start(upstream: string[], upstreamTimeoutMs = 2000): Promise<DnsServer> {
    const server = await startDnsServer({
      addresses: ['127.0.0.1'],
      port: 0,
      zones: fakeZones(),
      upstream,
      log,
      upstreamTimeoutMs,
    });
    closers.push(() => server.close());
    return server;
  }
  async function fake(behaviour: Behaviour) {
    const upstream = await startFakeUpstream(behaviour);
    closers.push(upstream.close);
    return upstream;
  }

  it('relays the upstream answer unchanged but for the id, over UDP and TCP', async () => {
    const upstream = await fake((query) => [answerTo(query)]);
    const server = await start([upstream.address]);
    const query = encodeQuery('Example.COM', 'A', { id: 4321 });
    const udp = await udpExchange(server.port, query);
    const [tcp] = await tcpExchange(server.port, [withLength(query)], 1);
    assert.deepEqual(
      upstream.received.map((r) => r.transport),
      ['udp', 'tcp'],
    );
    for (const [index, reply] of [udp, tcp!].entries()) {
      const upstreamReply = upstream.sent[index]!;
      assert.equal(reply.readUInt16BE(0), 4321);
      assert.deepEqual(reply.subarray(2), upstreamReply.subarray(2));
      // The query went out as the client sent it, under another id.
      assert.deepEqual(upstream.received[index]!.query.subarray(2), query.subarray(2));
    }
    assert.notEqual(upstream.received[0]!.query.readUInt16BE(0), upstream.received[1]!.query.readUInt16BE(0));
    // Names in the zones never reach the upstream.
    await udpExchange(server.port, encodeQuery('api.local', 'A'));
    assert.equal(upstream.received.length, 2);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    assert.deepEqual(await resolver.resolve4('example.com'), ['192.0.2.1']);
  });

  it('relays a truncated upstream answer, and the client retries over TCP', async () => {
    const upstream = await fake((query, transport) => [answerTo(query, { truncated: transport === 'udp' })]);
    const server = await start([upstream.address]);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    assert.deepEqual(await resolver.resolve4('example.com'), ['192.0.2.1']);
    assert.deepEqual(
      upstream.received.map((r) => r.transport),
      ['udp', 'tcp'],
    );
  });

  it('answers SERVFAIL when the upstream never answers, within the timeout', async () => {
    const silent = await fake(() => []);
    const server = await start([silent.address], 300);
    const started = performance.now();
    const reply = decode(await udpExchange(server.port, encodeQuery('example.com', 'A', { id: 11 })));
    assert.equal(reply.id, 11);
    assert.equal((reply.flags ?? 0) & 0xf, 2);
    assert.equal(silent.received.length, 1);
    assert.ok(performance.now() - started < 1500);
  });

  it('takes only a reply that matches the query’s id and question', async () => {
    const spoofing = await fake((query) => {
      const wrongId = answerTo(query);
      wrongId.writeUInt16BE((query.readUInt16BE(0) + 1) & 0xffff, 0);
      const otherQuestion = encode({ ...decode(answerTo(query)), questions: [{ type: 'A', name: 'evil.com' }] });
      const real = answerTo(query);
      return [wrongId, otherQuestion, real];
    });
    const server = await start([spoofing.address]);
    const reply = await udpExchange(server.port, encodeQuery('example.com', 'A'));
    assert.deepEqual(reply.subarray(2), spoofing.sent[2]!.subarray(2));
  });

  it('moves on to the next upstream after an unreachable one or a REFUSED', async () => {
    const refusing = await fake((query) => [answerTo(query, { rcode: 5 })]);
    const answering = await fake((query) => [answerTo(query)]);
    const server = await start([await closedPort(), refusing.address, answering.address]);
    const reply = decode(await udpExchange(server.port, encodeQuery('example.com', 'A')));
    assert.deepEqual(
      reply.answers?.map((a) => a.type === 'A' && a.data),
      ['192.0.2.1'],
    );
    assert.equal(refusing.received.length, 1);
    // The last upstream's REFUSED is relayed as it is.
    const onlyRefusing = await start([refusing.address]);
    const refused = decode(await udpExchange(onlyRefusing.port, encodeQuery('example.com', 'A')));
    assert.equal((refused.flags ?? 0) & 0xf, 5);
  });

  it('closes with a forward in progress without waiting for the upstream', async () => {
    const silent = await fake(() => []);
    const server = await start([silent.address], 60_000);
    void udpExchange(server.port, encodeQuery('example.com', 'A'), 500).catch(() => {});
    await eventually(() => silent.received.length === 1, 'the forwarded query');
    const started = performance.now();
    await server.close();
    assert.ok(performance.now() - started < 500);
  });
});
