import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Upstream } from './upstreams.ts';
import { MessageFramer, frame } from './message-framer.ts';
import { Flag, HEADER_BYTES, Rcode, questionEnd, rcodeOf, readHeader } from './wire.ts';

export interface ForwardOptions {
  upstream: readonly Upstream[];
  /** The client's transport, used upstream too: a truncated UDP answer makes the client retry on TCP. */
  transport: 'udp' | 'tcp';
  /** For all upstreams together. */
  timeoutMs: number;
  /** Aborted when the server closes. */
  signal: AbortSignal;
}

/** Answers that say "ask someone else": the next upstream is tried, and this is relayed only from the last. */
const SOFT_FAILURES: ReadonlySet<number> = new Set([Rcode.SERVFAIL, Rcode.NOTIMP, Rcode.REFUSED]);

/**
 * Asks the upstream resolvers in turn, each with an even share of the time left, and returns the
 * first answer with the client's id put back (otherwise unchanged), or undefined (→ SERVFAIL) when
 * none answers in time. The query goes out under a fresh random id from a fresh random port, and
 * only a reply that echoes its id and question bytes is taken (RFC 5452).
 */
export async function forwardQuery(query: Buffer, options: ForwardOptions): Promise<Buffer | undefined> {
  const end = questionEnd(query);
  if (end === undefined) return undefined;
  const deadline = Date.now() + options.timeoutMs;
  let fallback: Buffer | undefined;
  for (const [index, upstream] of options.upstream.entries()) {
    const timeoutMs = (deadline - Date.now()) / (options.upstream.length - index);
    if (timeoutMs <= 0 || options.signal.aborted) break;
    const sent = Buffer.from(query);
    sent.writeUInt16BE(randomInt(0x10000), 0);
    const ask = options.transport === 'udp' ? askOverUdp : askOverTcp;
    const reply = await ask(sent, upstream, {
      timeoutMs,
      signal: options.signal,
      isReply: (m) => isReplyTo(m, sent, end),
    });
    if (!reply) continue;
    reply.writeUInt16BE(query.readUInt16BE(0), 0);
    if (!SOFT_FAILURES.has(rcodeOf(reply))) return reply;
    fallback = reply;
  }
  return fallback;
}

/** Same id, a response, and the same question bytes (or none, from a server that could not parse it). */
function isReplyTo(reply: Buffer, sent: Buffer, end: number): boolean {
  const header = readHeader(reply);
  if (!header || header.id !== sent.readUInt16BE(0) || !(header.flags & Flag.QR)) return false;
  if (header.questions === 0) return rcodeOf(reply) !== Rcode.NOERROR;
  return (
    header.questions === 1 &&
    reply.length >= end &&
    reply.subarray(HEADER_BYTES, end).equals(sent.subarray(HEADER_BYTES, end))
  );
}

interface Attempt {
  timeoutMs: number;
  signal: AbortSignal;
  isReply: (message: Buffer) => boolean;
}

/** Resolves once: with the reply, or undefined on timeout, abort or a socket error (ICMP unreachable). */
function settleOnce(
  attempt: Attempt,
  cleanUp: () => void,
): { settle: (reply?: Buffer) => void; promise: Promise<Buffer | undefined> } {
  let resolve!: (reply: Buffer | undefined) => void;
  const promise = new Promise<Buffer | undefined>((r) => (resolve = r));
  let settled = false;
  const onAbort = (): void => settle();
  const timer = setTimeout(onAbort, attempt.timeoutMs);
  attempt.signal.addEventListener('abort', onAbort, { once: true });
  function settle(reply?: Buffer): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    attempt.signal.removeEventListener('abort', onAbort);
    cleanUp();
    resolve(reply);
  }
  return { settle, promise };
}

function askOverUdp(sent: Buffer, upstream: Upstream, attempt: Attempt): Promise<Buffer | undefined> {
  const socket = createSocket(upstream.family === 6 ? 'udp6' : 'udp4');
  const { settle, promise } = settleOnce(attempt, () => socket.close());
  socket.on('error', () => settle());
  // connect(): only the upstream's datagrams arrive, and its ICMP port unreachable surfaces as an error.
  socket.on('message', (message) => attempt.isReply(message) && settle(message));
  socket.connect(upstream.port, upstream.address, () => socket.send(sent, (error) => error && settle()));
  return promise;
}

function askOverTcp(sent: Buffer, upstream: Upstream, attempt: Attempt): Promise<Buffer | undefined> {
  const socket = connect({ host: upstream.address, port: upstream.port, noDelay: true });
  const { settle, promise } = settleOnce(attempt, () => socket.destroy());
  const framer = new MessageFramer();
  socket.on('error', () => settle());
  socket.on('close', () => settle());
  socket.on('data', (chunk) => {
    for (const message of framer.push(chunk)) if (attempt.isReply(message)) settle(message);
  });
  socket.write(frame(sent));
  return promise;
}
