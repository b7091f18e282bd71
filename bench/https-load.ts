// The loads bench/https.ts puts on each HTTPS listener, and what it reads of the listener's process:
// wrk over keep-alive connections (requests/s, p99), a bounded node:tls client opening a new
// connection for every request (full handshakes/s, p99), and CPU time from /proc.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';

export interface KeepAliveResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  /** wrk's socket errors and non-2xx/3xx responses, if any. */
  readonly errors: string;
}

export interface HandshakeResult {
  readonly handshakesPerSecond: number;
  /** Connect, handshake, one request and its whole response, to the server's close. */
  readonly p99Ms: number;
  readonly failures: number;
  /** Connections whose session was resumed (must be 0: every handshake is a full one). */
  readonly resumed: number;
}

/** Where the handshake client connects: 127.0.0.1:port, with SNI and the certificate to verify. */
export interface TlsTarget {
  readonly port: number;
  readonly servername: string;
  readonly ca: string;
}

/**
 * The key exchange groups the node:tls client offers: those of wrk's OpenSSL 3.0 and of ELB's
 * non-PQ policies. Node 24's default list begins with X25519MLKEM768, which a Node listener accepts
 * and OpenSSL 3.0's nginx does not: a different, dearer handshake on one side only.
 */
export const CLIENT_GROUPS = 'X25519:P-256:P-384';

/** USER_HZ: /proc reports CPU time in these ticks on Linux. */
const CLOCK_TICKS = 100;
/** Upper bound on the handshakes one measurement makes, whatever the rate. */
const MAX_HANDSHAKES = 2_000_000;
const CONNECTION_TIMEOUT_MS = 5_000;

function parseDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk latency '${text}'?`);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * scale;
}

/** wrk (2 threads) with `connections` keep-alive connections for `seconds`. */
export function wrkKeepAlive(url: string, seconds: number, connections: number): KeepAliveResult {
  const out = execFileSync(
    'wrk',
    ['--threads', '2', '--connections', String(connections), '--duration', `${seconds}s`, '--latency', url],
    { encoding: 'utf8' },
  );
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  if (!rate || !p99) throw new Error(`unexpected wrk output:\n${out}`);
  const errors = /Socket errors:[^\n]*|Non-2xx or 3xx responses:[^\n]*/g;
  return {
    requestsPerSecond: Number(rate[1]),
    p99Ms: parseDuration(p99[1]!),
    errors: [...out.matchAll(errors)].map((match) => match[0]).join('; '),
  };
}

/**
 * One new TLS connection (no session offered, so a full handshake), one GET with Connection: close,
 * read until the server closes. Resolves with the milliseconds taken and whether the answer was a 200.
 */
function oneConnection(target: TlsTarget): Promise<{ ms: number; ok: boolean; resumed: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let head = '';
    let resumed = false;
    const socket = connect({
      host: '127.0.0.1',
      port: target.port,
      servername: target.servername,
      ca: target.ca,
      ecdhCurve: CLIENT_GROUPS,
    });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve({ ms: performance.now() - started, ok, resumed });
    };
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () => done(false));
    socket.once('secureConnect', () => {
      resumed = socket.isSessionReused();
      socket.write(`GET / HTTP/1.1\r\nHost: ${target.servername}\r\nConnection: close\r\n\r\n`);
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (head.length < 16) head += chunk;
    });
    socket.once('end', () => done(head.startsWith('HTTP/1.1 200')));
    socket.once('error', () => done(false));
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** `clients` loops, each opening connection after connection, for `seconds` (and at most MAX_HANDSHAKES in all). */
export async function handshakeLoad(target: TlsTarget, seconds: number, clients: number): Promise<HandshakeResult> {
  const deadline = performance.now() + seconds * 1000;
  const times: number[] = [];
  let failures = 0;
  let resumed = 0;
  let started = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline && started < MAX_HANDSHAKES) {
      started++;
      const result = await oneConnection(target);
      if (result.ok) times.push(result.ms);
      else failures++;
      if (result.resumed) resumed++;
    }
  };
  const begun = performance.now();
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - begun) / 1000;
  times.sort((a, b) => a - b);
  return { handshakesPerSecond: times.length / elapsed, p99Ms: percentile(times, 0.99), failures, resumed };
}

/** CPU seconds (user + system) a process and its direct children have used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const read = (id: number): number => {
    try {
      // Fields after the parenthesised command: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children file: count the process alone
  }
  return read(pid) + children.reduce((sum, child) => sum + read(child), 0);
}
