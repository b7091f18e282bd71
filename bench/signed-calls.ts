// Benchmark: requests/s and latency of a trivial SigV4-signed call (ECS ListClusters) against a
// `berth server` process, with 16 concurrent keep-alive clients for 10 s. Prints one line.
//   node bench/signed-calls.ts [--clients 16] [--seconds 10] [--client wrk|node]
// The load comes from wrk (Debian package `wrk`) when it is installed, else from a Node client.
// The request is signed once with the AWS SDK's signer and replayed (a signature stays valid for
// 15 minutes), so the client spends its CPU on HTTP, not crypto; the server verifies the whole
// signature on every request, exactly as for any other call. Client and server share the machine.
// The load itself is bench/signed-load.ts (bench/multi-server.ts runs it too).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { hasWrk, measureSignedCalls, type LoadClient } from './signed-load.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    client: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const { child: server, url } = await startBerthProcess(dataDir);

try {
  const result = await measureSignedCalls({
    urls: [url],
    clients,
    seconds,
    client: values.client as LoadClient,
    credentials: BENCH_CREDENTIALS,
    workDir: dataDir,
  });
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
