// Benchmark: requests/s and latency of a trivial SigV4-signed call (ECS ListClusters) against a
// `berth server` process, with 16 concurrent keep-alive clients for 10 s. Prints one line.
//   node bench/signed-calls.ts [--clients 16] [--seconds 10] [--client wrk|node]
// The load comes from wrk (Debian package `wrk`) when it is installed, else from a Node client.
// The request is signed once with the AWS SDK's signer and replayed (a signature stays valid for
// 15 minutes), so the client spends its CPU on HTTP, not crypto; the server verifies the whole
// signature on every request, exactly as for any other call. Client and server share the machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signJsonCall, ECS_TARGET } from '../testing/signed-request.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    client: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined; // wrk --version exits 1 but exists
  }
}

interface Result {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const credentials = BENCH_CREDENTIALS;
const { child: server, url } = await startBerthProcess(dataDir);
const signed = await signJsonCall(url, `${ECS_TARGET}.ListClusters`, '{}', { credentials });
const headers = { ...signed.headers, 'content-length': String(Buffer.byteLength(signed.body)) };

async function withNode(): Promise<Result> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const send = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ hostname, port, path: '/', method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(signed.body);
    });
  for (let i = 0; i < 500; i++) await send(); // warm-up: JIT, statement cache
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t = performance.now();
      if ((await send()) !== 200) errors += 1;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requestsPerSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

function withWrk(): Result {
  const script = join(dataDir, 'signed.lua');
  const lines = Object.entries(headers)
    .filter(([name]) => name !== 'host' && name !== 'content-length')
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  writeFileSync(
    script,
    [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(signed.body)}`, ...lines].join('\n') + '\n',
  );
  execFileSync('wrk', ['-t1', '-c16', '-d2s', '-s', script, url], { stdio: 'ignore' }); // warm-up
  const out = execFileSync('wrk', ['-t1', `-c${clients}`, `-d${seconds}s`, '--latency', '-s', script, url], {
    encoding: 'utf8',
  });
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

try {
  const result = values.client === 'wrk' ? withWrk() : await withNode();
  console.log(
    `berth signed ListClusters: ${clients} clients, ${seconds} s, ${values.client} client: ` +
      `${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ` +
      `errors ${result.errors} (node ${process.version}, ${cpus().length} cores)`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
