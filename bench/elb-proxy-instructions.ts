// Benchmark: user-space instructions per proxied request, counted by valgrind's callgrind: a figure
// the shared machine's load cannot move (requests/s and CPU time swing ±30% here between runs; the
// same build gives the same count within about 1%). Three proxies, each forwarding round robin to the
// same three node:http targets: Berth's listener (src/elb/proxy, in its own process as in
// bench/elb-proxy.ts), a bare Node TCP relay (one upstream connection per client connection, bytes
// copied both ways: the floor of Node's own socket machinery, no HTTP at all), and nginx (one
// worker, keepalive upstream). Each runs under callgrind with instrumentation off until --warmup
// requests have gone through, then counts --requests requests from --connections keep-alive
// connections. Kernel time is not counted (valgrind sees user space only): bench/elb-proxy.ts
// reports the proxies' whole CPU time per request.
//   node bench/elb-proxy-instructions.ts [--requests 10000] [--warmup 30000] [--connections 16]
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../testing/elb-proxy.ts';
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

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '30000' },
    connections: { type: 'string', default: '16' },
    // Internal: the relay's child mode.
    'serve-relay': { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const PROXY_SCRIPT = join(import.meta.dirname, 'elb-proxy.ts');

/** Child mode: the bare relay, each client connection paired with a connection to the next target. */
async function serveRelay(spec: { port: number; targets: Endpoint[] }): Promise<void> {
  let next = 0;
  const server = createServer({ noDelay: true }, (client: Socket) => {
    const target = spec.targets[next++ % spec.targets.length]!;
    const upstream = connect({ host: target.address, port: target.port, noDelay: true });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => client.destroy());
    upstream.on('error', () => upstream.destroy());
  });
  server.listen(spec.port, '127.0.0.1');
  await once(server, 'listening');
  console.log('ready');
}

/** `total` GETs over `connections` keep-alive connections, one at a time on each; rejects on a non-200. */
async function load(port: number, total: number, connections: number): Promise<void> {
  let sent = 0;
  const request = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      let pending = '';
      const send = (): void => {
        if (sent >= total) return void socket.end(resolve);
        sent++;
        socket.write(request);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        for (;;) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          const length = /content-length: *(\d+)/i.exec(pending.slice(0, end));
          if (!pending.startsWith('HTTP/1.1 200') || length === null) {
            return reject(new Error(`unexpected answer: ${pending.slice(0, 80)}`));
          }
          const size = end + 4 + Number(length[1]);
          if (pending.length < size) return;
          pending = pending.slice(size);
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: connections }, one));
}

/** Instructions per request of the process `pid` (under callgrind) while `REQUESTS` go through `port`. */
async function count(pid: number, port: number, outFile: string): Promise<number> {
  await load(port, WARMUP, CONNECTIONS); // JIT, pools, connections: not counted
  execFileSync('callgrind_control', ['--instr=on', String(pid)], { stdio: 'ignore' });
  await load(port, REQUESTS, CONNECTIONS);
  execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' });
  const totals = /^totals: (\d+)/m.exec(readFileSync(`${outFile}.1`, 'utf8'));
  if (!totals) throw new Error(`no totals in ${outFile}.1`);
  return Number(totals[1]) / REQUESTS;
}

function callgrind(outFile: string): string[] {
  return ['valgrind', '--quiet', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${outFile}`];
}

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function line(label: string, instructions: number): void {
  console.log(`${label}: ${Math.round(instructions).toLocaleString('en-US')} instructions/request`);
}

async function main(): Promise<void> {
  if (!hasValgrind()) throw new Error('valgrind (with callgrind_control) is not installed: apt-get install valgrind');
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-instructions-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const targets = await spawnUntilLine(process.execPath, [PROXY_SCRIPT, '--serve-targets']);
  const endpoints = JSON.parse(targets.line) as Endpoint[];
  for (const target of endpoints) await waitForHttp(`http://${target.address}:${target.port}/`);
  console.log(
    `node ${process.version}; 3 node:http targets; ${REQUESTS} requests counted after ${WARMUP}, ${CONNECTIONS} connections`,
  );

  const figures: Record<string, number> = {};
  for (const [label, args] of [
    ['berth', [PROXY_SCRIPT, '--serve']],
    ['node relay (floor)', [import.meta.filename, '--serve-relay']],
  ] as const) {
    const port = await freePort();
    const out = join(work, `${label.split(' ')[0]}.out`);
    const spec = JSON.stringify({ port, targets: endpoints });
    const proxy = await spawnUntilLine(callgrind(out)[0]!, [
      ...callgrind(out).slice(1),
      process.execPath,
      ...args,
      spec,
    ]);
    figures[label] = await count(proxy.child.pid!, port, out);
    line(`  ${label}`, figures[label]);
    await stop(proxy.child);
  }
  const nginx = nginxPath();
  if (nginx === undefined) console.log('  nginx: not installed');
  else {
    const port = await freePort();
    const out = join(work, 'nginx.out');
    const child = await startNginx(nginx, work, port, endpoints, callgrind(out));
    figures.nginx = await count(child.pid!, port, out);
    line('  nginx (1 worker)', figures.nginx);
    await stop(child);
    console.log(`  berth/nginx: ${(figures.berth! / figures.nginx).toFixed(2)} (instructions)`);
  }
  await stop(targets.child);
}

if (values['serve-relay'] !== undefined) {
  await serveRelay(JSON.parse(values['serve-relay']) as { port: number; targets: Endpoint[] });
} else {
  await runCleaningUp(main);
}
