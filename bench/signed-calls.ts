// Benchmark: requests/s and latency of a trivial SigV4-signed call (ECS ListClusters) against a
// `berth server` process, with 16 concurrent keep-alive clients for 10 s. Prints one line.
//   node bench/signed-calls.ts [--clients 16] [--seconds 10]
// Each client signs its request once with the AWS SDK's signer and replays it (a signature stays
// valid for 15 minutes), so the client spends its CPU on HTTP, not crypto; the server verifies the
// full signature on every request, exactly as for any other call.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signJsonCall, ECS_TARGET } from '../testing/signed-request.ts';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '16' }, seconds: { type: 'string', default: '10' } } });
const clients = Number(values.clients);
const seconds = Number(values.seconds);

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const credentials = { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'benchmark-secret-access-key-0000000000' };
const server = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'berth.js'), 'server'], {
  env: {
    PATH: process.env.PATH ?? '',
    BERTH_PORT: '0',
    BERTH_DATA_DIR: dataDir,
    BERTH_ROOT_ACCESS_KEY_ID: credentials.accessKeyId,
    BERTH_ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  const onData = (chunk: Buffer): void => {
    out += chunk.toString();
    const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (match) {
      server.stdout!.off('data', onData);
      server.stdout!.resume(); // keep draining the request logs, as a log shipper would
      resolve(match[1]!);
    }
  };
  server.stdout!.on('data', onData);
  server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
const { hostname, port } = new URL(url);

const agent = new Agent({ keepAlive: true, maxSockets: clients });
function send(headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: '/', method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
let errors = 0;
let deadline = 0;
async function client(): Promise<void> {
  const signed = await signJsonCall(url, `${ECS_TARGET}.ListClusters`, '{}', { credentials });
  const headers = { ...signed.headers, 'content-length': String(Buffer.byteLength(signed.body)) };
  while (performance.now() < deadline) {
    const started = performance.now();
    const status = await send(headers, signed.body);
    latencies.push(performance.now() - started);
    if (status !== 200) errors += 1;
  }
}

// Warm up (JIT, statement cache), then measure.
for (let i = 0; i < 200; i++) {
  const signed = await signJsonCall(url, `${ECS_TARGET}.ListClusters`, '{}', { credentials });
  await send({ ...signed.headers }, signed.body);
}
const started = performance.now();
deadline = started + seconds * 1000;
await Promise.all(Array.from({ length: clients }, client));
const elapsed = (performance.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const at = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2);
console.log(
  `berth signed ListClusters: ${clients} clients, ${elapsed.toFixed(1)} s: ${Math.round(latencies.length / elapsed)} req/s, ` +
    `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, errors ${errors} (node ${process.version}, ${(await import('node:os')).cpus().length} cores)`,
);
agent.destroy();
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
