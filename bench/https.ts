// Benchmark (issue #22): HTTPS through a Berth load balancer's HTTPS listener, beside nginx
// terminating TLS for the same targets with the same certificate, in the same run.
//   node bench/https.ts [--seconds 10] [--connections 64] [--clients 16] [--rounds 3]
// One `berth server` process (bench/berth-process.ts; managed capacity, DNS and TLS front door off):
// through its public APIs (AWS SDK v3) the certificate is imported into ACM (RSA 2048, self-signed
// for bench.example.test, made by openssl), and a load balancer gets an ip target group of three
// node:http targets on 127.0.0.1 (one child process) and an HTTPS listener with that certificate and
// the security policy ELBSecurityPolicy-TLS13-1-2-2021-06. nginx (Debian: `apt-get install
// nginx-light`; without it only Berth is measured, and the run says so) serves the same certificate
// and key with the same policy, read back with DescribeSSLPolicies (its protocols, TLS 1.2 ciphers
// and TLS 1.3 suites in the same order, server order), one worker (one event loop, like Berth's),
// proxying to the same three targets over keep-alive connections. Two loads, each side in turn,
// `--rounds` times (the order flipping every round), medians reported with Berth/nginx:
// - requests: wrk (2 threads, `--connections` keep-alive connections, `--seconds`, after 2 s of
//   warm-up): requests/s and p99;
// - handshakes: `--clients` node:tls loops, each opening a new connection for every request (no
//   session offered, so every handshake is a full one; resumptions are counted and must be 0), one
//   GET with Connection: close, read until the server closes: connections/s and p99 of the whole.
//   The client offers X25519, P-256 and P-384 (as wrk's OpenSSL 3.0 does), so both sides do the
//   same key exchange: Node's default offer begins with X25519MLKEM768, which only Berth accepts.
// Both figures come with the listener process's CPU time per request or handshake (/proc, with its
// direct children: nginx's worker), which the shared machine's load distorts less than rates.
// Client, proxies and targets share the machine: the load average is printed before and after.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { parseArgs } from 'node:util';
import { freePort } from '../testing/elb-proxy.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { berthHttpsListener, type ListenerPolicy } from './https-berth.ts';
import {
  CLIENT_GROUPS,
  cpuSeconds,
  handshakeLoad,
  wrkKeepAlive,
  type HandshakeResult,
  type KeepAliveResult,
  type TlsTarget,
} from './https-load.ts';
import { startTlsNginx } from './https-nginx.ts';
import { cleanups, nginxPath, runCleaningUp, spawnUntilLine, stop, type Endpoint } from './proxy-processes.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    clients: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    // Internal: the targets' child process.
    'serve-targets': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const NAME = 'bench.example.test';
const POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
const BODY = 'hello from a berth bench target\n';
const TARGET_KEEP_ALIVE_MS = 120_000;

/** Child mode: three node:http targets on free ports of 127.0.0.1, announced as JSON. */
async function serveTargets(): Promise<void> {
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < 3; i++) {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
    // As AWS advises for targets: idle keep-alive connections outlive the proxy's (node:http's 5 s
    // default closed them under nginx's upstream pool, whose requests then met a closing socket).
    server.keepAliveTimeout = TARGET_KEEP_ALIVE_MS;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoints.push({ address: '127.0.0.1', port: (server.address() as { port: number }).port });
  }
  console.log(JSON.stringify(endpoints));
}

/** An RSA 2048 key and a self-signed certificate for NAME, as PEM files in `work`. */
function makeCertificate(work: string): { certFile: string; keyFile: string } {
  const certFile = join(work, 'bench.pem');
  const keyFile = join(work, 'bench.key');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7', '-keyout', keyFile, '-out', certFile],
      ...['-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME}`],
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

/** What a first connection negotiates: protocol, cipher, key exchange group, certificate names. */
async function negotiated(target: TlsTarget): Promise<string> {
  const socket = connect({
    host: '127.0.0.1',
    port: target.port,
    servername: target.servername,
    ca: target.ca,
    ecdhCurve: CLIENT_GROUPS,
  });
  await once(socket, 'secureConnect');
  const group = socket.getEphemeralKeyInfo();
  const line = [
    socket.getProtocol(),
    socket.getCipher().name,
    group !== null && 'name' in group ? group.name : '',
    socket.getPeerCertificate().subjectaltname,
  ].join(', ');
  socket.destroy();
  return line;
}

interface Side {
  readonly label: string;
  readonly pid: number;
  readonly target: TlsTarget;
  readonly keepAlive: (KeepAliveResult & { cpuMicros: number })[];
  readonly handshakes: (HandshakeResult & { cpuMicros: number })[];
}

function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function measureKeepAlive(side: Side): void {
  const url = `https://127.0.0.1:${side.target.port}/`;
  wrkKeepAlive(url, 2, CONNECTIONS); // warm-up: connections, JIT, upstream pools
  const before = cpuSeconds(side.pid);
  const result = wrkKeepAlive(url, SECONDS, CONNECTIONS);
  const cpuMicros = ((cpuSeconds(side.pid) - before) / (result.requestsPerSecond * SECONDS)) * 1e6;
  side.keepAlive.push({ ...result, cpuMicros });
  const errors = result.errors === '' ? '' : ` (${result.errors})`;
  console.log(
    `  ${side.label}, keep-alive: ${rate(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
      `${cpuMicros.toFixed(0)} µs CPU/request${errors}`,
  );
}

async function measureHandshakes(side: Side): Promise<void> {
  await handshakeLoad(side.target, 1, CLIENTS); // warm-up
  const before = cpuSeconds(side.pid);
  const result = await handshakeLoad(side.target, SECONDS, CLIENTS);
  const count = result.handshakesPerSecond * SECONDS;
  const cpuMicros = ((cpuSeconds(side.pid) - before) / count) * 1e6;
  side.handshakes.push({ ...result, cpuMicros });
  console.log(
    `  ${side.label}, new connections: ${rate(result.handshakesPerSecond)} handshakes/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
      `${cpuMicros.toFixed(0)} µs CPU/handshake, ${result.failures} failed, ${result.resumed} resumed`,
  );
}

function summary(sides: readonly Side[]): void {
  console.log(`medians of ${ROUNDS} rounds:`);
  for (const side of sides) {
    const keepAlive = side.keepAlive;
    const handshakes = side.handshakes;
    console.log(
      `  ${side.label}: ${rate(median(keepAlive.map((r) => r.requestsPerSecond)))} req/s, ` +
        `p99 ${median(keepAlive.map((r) => r.p99Ms)).toFixed(2)} ms, ` +
        `${median(keepAlive.map((r) => r.cpuMicros)).toFixed(0)} µs CPU/request; ` +
        `${rate(median(handshakes.map((r) => r.handshakesPerSecond)))} handshakes/s, ` +
        `p99 ${median(handshakes.map((r) => r.p99Ms)).toFixed(2)} ms, ` +
        `${median(handshakes.map((r) => r.cpuMicros)).toFixed(0)} µs CPU/handshake`,
    );
  }
  const [berth, nginx] = sides;
  if (!berth || !nginx) return;
  const ratio = (pick: (side: Side) => number[]): string => (median(pick(berth)) / median(pick(nginx))).toFixed(2);
  console.log(
    `  berth/nginx: ${ratio((s) => s.keepAlive.map((r) => r.requestsPerSecond))} (req/s), ` +
      `${ratio((s) => s.handshakes.map((r) => r.handshakesPerSecond))} (handshakes/s), ` +
      `${ratio((s) => s.keepAlive.map((r) => r.cpuMicros))} (CPU/request), ` +
      `${ratio((s) => s.handshakes.map((r) => r.cpuMicros))} (CPU/handshake)`,
  );
}

/** A process's command and its direct children's (whether the listener runs in `berth lb` or in the server). */
function processTree(pid: number): string {
  const command = (id: string): string =>
    readFileSync(`/proc/${id}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1).join(' ');
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return [String(pid), ...children].map((id) => `[${command(id)}]`).join(' ');
}

function loadLine(when: string): string {
  return `load average ${when}: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`;
}

async function main(): Promise<void> {
  console.log(`${loadLine('before')} (${cpus().length} cores, node ${process.version})`);
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-https-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const { certFile, keyFile } = makeCertificate(work);
  const ca = readFileSync(certFile, 'utf8');
  const targets = JSON.parse(
    (await spawnUntilLine(process.execPath, [import.meta.filename, '--serve-targets'])).line,
  ) as Endpoint[];

  let berth: ChildProcess | undefined;
  cleanups.push(() => berth?.kill('SIGTERM')); // its own clean shutdown, children included
  const started = await startBerthProcess(join(work, 'berth'), {
    env: { BERTH_MANAGED_CAPACITY: 'off', BERTH_DNS_PORT: 'off', BERTH_TLS_PORT: 'off' },
    onSpawn: (child) => (berth = child),
  });
  const berthPort = await freePort();
  const policy: ListenerPolicy = await berthHttpsListener({
    endpoint: started.url,
    credentials: BENCH_CREDENTIALS,
    certificatePem: ca,
    privateKeyPem: readFileSync(keyFile, 'utf8'),
    policyName: POLICY,
    port: berthPort,
    targets,
  });
  const sides: Side[] = [
    {
      label: 'berth',
      pid: started.child.pid!,
      target: { port: berthPort, servername: NAME, ca },
      keepAlive: [],
      handshakes: [],
    },
  ];
  const nginx = nginxPath();
  let nginxChild: ChildProcess | undefined;
  if (nginx === undefined) {
    console.log('nginx: NOT INSTALLED (Debian: apt-get install nginx-light): only Berth is measured, no ratio');
  } else {
    const nginxPort = await freePort();
    nginxChild = await startTlsNginx(nginx, work, { port: nginxPort, certFile, keyFile, policy, targets });
    const target = { port: nginxPort, servername: NAME, ca };
    sides.push({ label: 'nginx (1 worker)', pid: nginxChild.pid!, target, keepAlive: [], handshakes: [] });
  }
  console.log(
    `targets: 3 node:http servers (one process); policy ${POLICY}; RSA 2048 certificate; ` +
      `wrk ${CONNECTIONS} keep-alive connections, ${CLIENTS} node:tls clients for new connections, ${SECONDS} s each`,
  );
  console.log(`  berth: the server process and its children: ${processTree(started.child.pid!)}`);
  for (const side of sides) console.log(`  ${side.label} negotiates: ${await negotiated(side.target)}`);
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}:`);
    // Each load on each side in turn (the order flipping every round), so that both see the same
    // spells of load on a shared machine.
    const order = round % 2 === 1 ? sides : [...sides].reverse();
    for (const side of order) measureKeepAlive(side);
    for (const side of order) await measureHandshakes(side);
  }
  summary(sides);
  await stop(started.child);
  if (nginxChild !== undefined) await stop(nginxChild);
  console.log(loadLine('after'));
}

if (values['serve-targets']) {
  await serveTargets();
} else {
  await runCleaningUp(main);
}
