// The signed-call load that bench/signed-calls.ts and bench/multi-server.ts share: a trivial
// SigV4-signed call (ECS ListClusters), signed once per server with the AWS SDK's signer and replayed
// (a signature stays valid for 15 minutes), so the client spends its CPU on HTTP, not crypto; the
// server verifies the whole signature on every request, exactly as for any other call. The load
// comes from wrk (Debian package `wrk`) when it is installed, else from a Node client. Against
// several servers the connections are spread round-robin over them (connection i to server i mod n),
// as a TCP load balancer spreads connections.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signJsonCall, ECS_TARGET, type Credentials } from '../testing/signed-request.ts';

export type LoadClient = 'wrk' | 'node';

export interface SignedLoadResult {
  requestsPerSecond: number;
  /** Against several servers with wrk: the highest of the wrk processes' (one per server). */
  p50: number;
  p99: number;
  errors: number;
}

export interface SignedLoadOptions {
  readonly urls: readonly string[];
  readonly clients: number;
  readonly seconds: number;
  readonly client: LoadClient;
  readonly credentials: Credentials;
  /** A folder for wrk's script. */
  readonly workDir: string;
}

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined; // wrk --version exits 1 but exists
  }
}

interface SignedCall {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function signFor(url: string, credentials: Credentials): Promise<SignedCall> {
  const signed = await signJsonCall(url, `${ECS_TARGET}.ListClusters`, '{}', { credentials });
  const headers = { ...signed.headers, 'content-length': String(Buffer.byteLength(signed.body)) };
  return { url, headers, body: signed.body };
}

/** How many of `clients` connections go to each of `servers` servers, round-robin (16 over 3: 6, 5, 5). */
export function spread(clients: number, servers: number): number[] {
  return Array.from({ length: servers }, (_, i) => Math.floor(clients / servers) + (i < clients % servers ? 1 : 0));
}

async function withNode(calls: readonly SignedCall[], options: SignedLoadOptions): Promise<SignedLoadResult> {
  const counts = spread(options.clients, calls.length);
  const senders = calls.map((call, i) => {
    const { hostname, port } = new URL(call.url);
    const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, counts[i]!) });
    const send = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ hostname, port, path: '/', method: 'POST', headers: call.headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(call.body);
      });
    return { agent, send };
  });
  for (const { send } of senders) for (let i = 0; i < 500; i++) await send(); // warm-up: JIT, statement cache
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async (index: number): Promise<void> => {
    const { send } = senders[index % senders.length]!;
    while (performance.now() < deadline) {
      const t = performance.now();
      if ((await send()) !== 200) errors += 1;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => loop(i)));
  const elapsed = (performance.now() - started) / 1000;
  for (const { agent } of senders) agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requestsPerSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

function wrkScript(call: SignedCall, path: string): string {
  const lines = Object.entries(call.headers)
    .filter(([name]) => name !== 'host' && name !== 'content-length')
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  writeFileSync(path, [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(call.body)}`, ...lines].join('\n') + '\n');
  return path;
}

function parseWrk(out: string): SignedLoadResult {
  const ms = (label: string): number => {
    const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!match) throw new Error(`no ${label} in wrk output:\n${out}`);
    return Number(match[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[match[2]!]!;
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors =
    Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
    p50: ms('50%'),
    p99: ms('99%'),
    errors,
  };
}

/** One wrk process (one thread) per server, all at once, each with its share of the connections. */
async function withWrk(calls: readonly SignedCall[], options: SignedLoadOptions): Promise<SignedLoadResult> {
  const run = promisify(execFile);
  const counts = spread(options.clients, calls.length);
  const scripts = calls.map((call, i) => wrkScript(call, join(options.workDir, `signed-${i}.lua`)));
  await Promise.all(
    calls.map((call, i) => run('wrk', ['-t1', `-c${Math.max(1, counts[i]!)}`, '-d2s', '-s', scripts[i]!, call.url])),
  ); // warm-up
  const outputs = await Promise.all(
    calls.map((call, i) =>
      run('wrk', ['-t1', `-c${counts[i]}`, `-d${options.seconds}s`, '--latency', '-s', scripts[i]!, call.url], {
        encoding: 'utf8',
      }),
    ),
  );
  const results = outputs.map(({ stdout }) => parseWrk(stdout));
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Runs the signed ListClusters load against `urls` for `seconds`, after a warm-up. */
export async function measureSignedCalls(options: SignedLoadOptions): Promise<SignedLoadResult> {
  if (options.urls.length > options.clients) throw new Error('fewer client connections than servers');
  const calls = await Promise.all(options.urls.map((url) => signFor(url, options.credentials)));
  return options.client === 'wrk' ? withWrk(calls, options) : withNode(calls, options);
}
