// Benchmark: the ELB data plane (src/elb/proxy) as a reverse proxy. wrk with --connections keep-alive
// connections for --seconds against (a) one target directly, (b) a Berth listener forwarding round
// robin to three targets, (c) nginx as a reverse proxy with a keepalive upstream to the same three.
// Berth and nginx are measured in turn --rounds times (both running meanwhile); one line per run,
// then each figure's median (requests/s, p99, CPU/request) and Berth/nginx. Target: ≥ 15,000 req/s
// and p99 < 10 ms through Berth on 2 cores.
//   node bench/elb-proxy.ts [--seconds 10] [--connections 64] [--rounds 3] [--targets busybox|node|both] [--profile DIR]
// Two sets of targets, each measured all three ways: three busybox httpd containers (FROM scratch +
// /bin/busybox, reached on their bridge addresses; skipped without Docker), then three node:http
// servers in one child process. busybox httpd forks for every connection and answers one request per
// connection with a small listen backlog, so it caps every figure of its set (and behind either proxy
// each request opens a connection to it); the node:http set measures the proxies. The proxy runs in
// its own process, as `berth server` would run it; nginx gets one worker (one event loop each, like
// for like). Both proxies also report CPU time per request, from /proc: a figure the shared machine's
// load distorts less than requests/s. A 2 s warm-up precedes each measured run. Client, proxies and
// targets share the machine: the load average is printed before and after.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aListener, aTargetGroup, forwardRule, freePort } from '../testing/elb-proxy.ts';
import { createProxyDataPlane } from '../src/elb/proxy/index.ts';
import {
  cleanups,
  nginxPath,
  runCleaningUp,
  spawnUntilLine,
  startNginx,
  stop,
  waitForHttp,
  type Endpoint,
} from './proxy-processes.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    targets: { type: 'string', default: 'both' },
    profile: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    // Internal: the child process modes.
    serve: { type: 'string' },
    'serve-targets': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
/** Berth and nginx are measured in turn this many times; the medians are reported. */
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const BODY = 'hello from a berth bench target\n';
/** USER_HZ: /proc reports CPU time in these ticks on Linux. */
const CLOCK_TICKS = 100;

/** Child mode: the data plane alone in its process, a listener forwarding to the given targets. */
async function serveProxy(spec: { port: number; targets: Endpoint[] }): Promise<void> {
  const plane = createProxyDataPlane();
  const group = aTargetGroup('bench', [], {
    targets: spec.targets.map((target) => ({ id: target.address, port: target.port, address: target.address })),
    healthCheck: { ...aTargetGroup('x', []).healthCheck, path: '/', intervalSeconds: 5, timeoutSeconds: 2 },
  });
  await plane.apply({ listeners: [aListener(spec.port, [forwardRule({ bench: 1 })])], targetGroups: [group] });
  while (!plane.targetHealth('bench').every((view) => view.state === 'healthy')) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.log('ready');
  process.once('SIGTERM', () => void plane.close().then(() => process.exit(0)));
}

/** Child mode: three node:http targets on free ports, announced as JSON. */
async function serveNodeTargets(): Promise<void> {
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    ports.push((server.address() as { port: number }).port);
  }
  console.log(JSON.stringify(ports.map((port) => ({ address: '127.0.0.1', port }))));
}

function hasDocker(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Three busybox httpd containers serving a small page; their bridge addresses, port 80. */
function startBusyboxTargets(work: string): Endpoint[] {
  const context = join(work, 'context');
  execFileSync('mkdir', ['-p', join(context, 'www')]);
  execFileSync('cp', ['/bin/busybox', join(context, 'busybox')]);
  writeFileSync(join(context, 'www', 'index.html'), BODY);
  writeFileSync(
    join(context, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nENTRYPOINT ["/bin/busybox"]\n',
  );
  const tag = `berth-bench-elb-proxy:${process.pid}`;
  execFileSync('docker', ['build', '--quiet', '--tag', tag, context], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: 'ignore',
  });
  cleanups.push(() => docker(['rmi', '--force', tag]));
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < 3; i++) {
    const id = docker(['run', '--detach', '--rm', tag, 'httpd', '-f', '-p', '80', '-h', '/www']);
    cleanups.push(() => docker(['rm', '--force', id]));
    const address = docker(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id]);
    endpoints.push({ address, port: 80 });
  }
  return endpoints;
}

interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: string;
  /** The proxy's CPU time per request, when measured. */
  readonly cpuMicros?: number;
}

function parseDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!match) throw new Error(`wrk latency '${text}'?`);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * scale;
}

function wrk(url: string, seconds: number): WrkResult {
  const out = execFileSync(
    'wrk',
    ['--threads', '2', '--connections', String(CONNECTIONS), '--duration', `${seconds}s`, '--latency', url],
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

/** CPU seconds (user + system) a process and its direct children have used so far, from /proc. */
function cpuSeconds(pid: number): number {
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

/** Runs wrk after a warm-up; with `pid`, also the proxy's CPU time per request (a figure the shared machine's load distorts less). */
function measure(label: string, url: string, pid?: number): WrkResult {
  wrk(url, 2); // warm-up: connections, JIT, pools
  const cpuBefore = pid === undefined ? 0 : cpuSeconds(pid);
  const result = wrk(url, SECONDS);
  const cpu = pid === undefined ? 0 : cpuSeconds(pid) - cpuBefore;
  const measured =
    pid === undefined ? result : { ...result, cpuMicros: (cpu / (result.requestsPerSecond * SECONDS)) * 1e6 };
  report(label, measured);
  return measured;
}

function report(label: string, result: WrkResult): void {
  const perRequest = result.cpuMicros === undefined ? '' : `, ${result.cpuMicros.toFixed(0)} µs CPU/request`;
  const errors = result.errors === '' ? '' : ` (${result.errors})`;
  console.log(
    `${label}: ${Math.round(result.requestsPerSecond).toLocaleString('en-US')} req/s, p99 ${result.p99Ms.toFixed(2)} ms${perRequest}${errors}`,
  );
}

/** Each figure's median over the rounds (not one round's figures). */
function medianOf(results: readonly WrkResult[]): WrkResult {
  const cpu = results.flatMap((r) => (r.cpuMicros === undefined ? [] : [r.cpuMicros]));
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errors: [...new Set(results.map((r) => r.errors).filter(Boolean))].join('; '),
    ...(cpu.length > 0 ? { cpuMicros: median(cpu) } : {}),
  };
}

/** The three figures (direct, Berth, nginx) against one set of targets. */
async function compare(kind: string, targets: readonly Endpoint[], work: string): Promise<void> {
  for (const target of targets) await waitForHttp(`http://${target.address}:${target.port}/`);
  console.log(`targets: 3 ${kind}; wrk ${CONNECTIONS} connections, ${SECONDS} s`);
  measure(`  direct to one target`, `http://${targets[0]!.address}:${targets[0]!.port}/`);

  const proxyPort = await freePort();
  const profile = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`];
  const spec = JSON.stringify({ port: proxyPort, targets });
  const proxy = await spawnUntilLine(process.execPath, [...profile, import.meta.filename, '--serve', spec]);
  const nginx = nginxPath();
  const nginxPort = await freePort();
  const child = nginx === undefined ? undefined : await startNginx(nginx, work, nginxPort, targets);
  // In turn, so that both see the same spells of load on a shared machine.
  const berthRuns: WrkResult[] = [];
  const nginxRuns: WrkResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    berthRuns.push(measure(`  round ${round}: through berth`, `http://127.0.0.1:${proxyPort}/`, proxy.child.pid));
    if (child !== undefined) {
      nginxRuns.push(
        measure(`  round ${round}: through nginx (1 worker)`, `http://127.0.0.1:${nginxPort}/`, child.pid),
      );
    }
  }
  await stop(proxy.child);
  if (child !== undefined) await stop(child);
  const berth = medianOf(berthRuns);
  report(`  through berth, median of ${ROUNDS}`, berth);
  if (child === undefined) {
    console.log('  nginx: not installed');
    return;
  }
  const viaNginx = medianOf(nginxRuns);
  report(`  through nginx (1 worker), median of ${ROUNDS}`, viaNginx);
  console.log(`  berth/nginx: ${(berth.requestsPerSecond / viaNginx.requestsPerSecond).toFixed(2)} (req/s)`);
}

function loadLine(when: string): string {
  return `load average ${when}: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`;
}

async function main(): Promise<void> {
  console.log(`${loadLine('before')} (${cpus().length} cores, node ${process.version})`);
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-elb-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const wanted = values.targets;
  if (wanted !== 'node' && hasDocker()) await compare('busybox httpd containers', startBusyboxTargets(work), work);
  else if (wanted !== 'node') console.log('busybox targets: no Docker engine, skipped');
  if (wanted !== 'busybox') {
    const spawned = await spawnUntilLine(process.execPath, [import.meta.filename, '--serve-targets']);
    await compare('node:http servers (one process)', JSON.parse(spawned.line) as Endpoint[], work);
    await stop(spawned.child);
  }
  console.log(loadLine('after'));
}

if (values.serve !== undefined) {
  await serveProxy(JSON.parse(values.serve) as { port: number; targets: Endpoint[] });
} else if (values['serve-targets']) {
  await serveNodeTargets();
} else {
  await runCleaningUp(main);
}
