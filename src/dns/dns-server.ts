import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from '../shared/logger.ts';
import { answerQuery, type QueryContext } from './answer-query.ts';
import { forwardQuery } from './forward-query.ts';
import { MessageFramer, frame } from './message-framer.ts';
import { hostResolvers, parseUpstream, type Upstream } from './upstreams.ts';
import type { DnsZoneSource } from './zone-source.ts';

export interface DnsServerOptions {
  /** IP addresses to listen on, UDP and TCP each. */
  addresses: readonly string[];
  /** 0 picks a free one, the same on every address. */
  port: number;
  zones: DnsZoneSource;
  /**
   * Resolvers for names outside the zones (`IP`, `IP:port`, `[IPv6]:port`). Default: the host's
   * (`hostResolvers()`), less this server itself. Empty: such names are REFUSED.
   */
  upstream?: readonly string[];
  log: Logger;
  /** How long all upstreams together get before the client gets SERVFAIL. Default 2 s. */
  upstreamTimeoutMs?: number;
  /** TCP connections open at once, over all addresses; more are closed at once. Default 256. */
  maxTcpConnections?: number;
  /** A TCP connection idle this long is closed (RFC 7766 §6.2.3). Default 10 s. */
  tcpIdleTimeoutMs?: number;
  /** Queries being answered at once (UDP, and TCP's pipelined ones); more UDP queries are dropped. Default 1,024. */
  maxInflight?: number;
}

export interface DnsServer {
  port: number;
  addresses: string[];
  close(): Promise<void>;
}

/** Pipelined queries one TCP connection may have in progress before the server stops reading it. */
const MAX_PIPELINED = 16;
/** Attempts at finding a port free on every address when `port` is 0. */
const PORT_ATTEMPTS = 5;

/**
 * A DNS server on UDP and TCP: authoritative for the zone source's names, a forwarder for the rest.
 * See README.md for the data flow.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const configured = options.upstream?.map(parseUpstream);
  const listeners = await listenEverywhere(options.addresses, options.port);
  const port = listeners.port;
  let upstream: Upstream[];
  try {
    upstream =
      configured ?? (await hostResolvers({ listening: { addresses: options.addresses, port } })).map(parseUpstream);
  } catch (error) {
    await closeAll(listeners);
    throw error;
  }
  const abort = new AbortController();
  const timeoutMs = options.upstreamTimeoutMs ?? 2000;
  const contextFor = (transport: 'udp' | 'tcp'): QueryContext => ({
    transport,
    zones: options.zones,
    log: options.log,
    forward:
      upstream.length === 0
        ? undefined
        : (query) => forwardQuery(query, { upstream, transport, timeoutMs, signal: abort.signal }),
  });
  const limits: Limits = {
    inflight: 0,
    maxInflight: options.maxInflight ?? 1024,
    tcp: new Set<Socket>(),
    maxTcp: options.maxTcpConnections ?? 256,
    idleMs: options.tcpIdleTimeoutMs ?? 10_000,
  };
  const udpContext = contextFor('udp');
  const tcpContext = contextFor('tcp');
  for (const socket of listeners.udp) serveUdp(socket, udpContext, limits);
  for (const server of listeners.tcp) {
    server.on('connection', (socket) => serveTcp(socket, tcpContext, limits));
    server.on('error', (error) => options.log.warn({ err: error }, 'DNS TCP listener error'));
  }
  options.log.info(
    { addresses: options.addresses, port, upstream: upstream.map((u) => `${u.address}:${u.port}`) },
    'DNS server listening',
  );
  let closed: Promise<void> | undefined;
  return {
    port,
    addresses: [...options.addresses],
    close() {
      if (!closed) {
        abort.abort(); // forwards in progress end now
        for (const socket of limits.tcp) socket.destroy();
        closed = closeAll(listeners);
      }
      return closed;
    },
  };
}

interface Limits {
  inflight: number;
  maxInflight: number;
  tcp: Set<Socket>;
  maxTcp: number;
  idleMs: number;
}

function serveUdp(socket: UdpSocket, context: QueryContext, limits: Limits): void {
  socket.on('error', (error) => context.log.warn({ err: error }, 'DNS UDP socket error'));
  socket.on('message', (message, peer) => {
    // Overloaded: drop, as a resolver under load does; the client retries.
    if (limits.inflight >= limits.maxInflight) return;
    limits.inflight++;
    void answerSafely(message, context)
      .then((reply) => reply && socket.send(reply, peer.port, peer.address, () => {}))
      .catch(() => {}) // the socket closed meanwhile
      .finally(() => limits.inflight--);
  });
}

function serveTcp(socket: Socket, context: QueryContext, limits: Limits): void {
  if (limits.tcp.size >= limits.maxTcp) {
    socket.destroy();
    return;
  }
  limits.tcp.add(socket);
  socket.setNoDelay(true);
  socket.setTimeout(limits.idleMs, () => socket.destroy());
  socket.on('close', () => limits.tcp.delete(socket));
  socket.on('error', () => {}); // a reset by the client: 'close' follows
  const framer = new MessageFramer();
  let pipelined = 0;
  // Back-pressure: stop reading while too many queries are in progress or replies are not being read.
  const pauseOrResume = (): void => {
    if (pipelined >= MAX_PIPELINED || socket.writableNeedDrain) socket.pause();
    else socket.resume();
  };
  socket.on('drain', pauseOrResume);
  socket.on('data', (chunk) => {
    for (const message of framer.push(chunk)) {
      pipelined++;
      limits.inflight++;
      void answerSafely(message, context).then((reply) => {
        pipelined--;
        limits.inflight--;
        if (socket.destroyed) return;
        // No reply (not a query): a client that sends such things is not worth keeping.
        if (!reply) socket.destroy();
        else socket.write(frame(reply));
        pauseOrResume();
      });
    }
    pauseOrResume();
  });
}

/** answerQuery is written not to throw; this keeps a bug from taking the server down anyway. */
async function answerSafely(message: Buffer, context: QueryContext): Promise<Buffer | undefined> {
  try {
    return await answerQuery(message, context);
  } catch (error) {
    context.log.error({ err: error }, 'DNS query failed');
    return undefined;
  }
}

interface Listeners {
  port: number;
  udp: UdpSocket[];
  tcp: Server[];
}

/** UDP and TCP on every address, on one port; with port 0, retried on another if one is taken. */
async function listenEverywhere(addresses: readonly string[], port: number): Promise<Listeners> {
  if (addresses.length === 0) throw new TypeError('A DNS server needs at least one address');
  for (let attempt = 1; ; attempt++) {
    const listeners: Listeners = { port, udp: [], tcp: [] };
    try {
      for (const address of addresses) {
        const udp = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
        listeners.udp.push(udp);
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(listeners.port, address, () => resolve());
        });
        listeners.port = udp.address().port;
        const tcp = createServer();
        listeners.tcp.push(tcp);
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen({ host: address, port: listeners.port }, () => resolve());
        });
      }
      return listeners;
    } catch (error) {
      await closeAll(listeners);
      const retry = port === 0 && attempt < PORT_ATTEMPTS && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!retry) throw error;
    }
  }
}

async function closeAll(listeners: Listeners): Promise<void> {
  await Promise.all([
    ...listeners.udp.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve())).catch(() => {})),
    ...listeners.tcp.map(
      (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    ),
  ]);
}
