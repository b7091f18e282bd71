// Benchmark: peak resident memory of the registry under concurrent pulls, Berth against Debian's
// docker-registry (CNCF distribution 2.8). Target for Berth: under 200 MiB.
//   node bench/registry-memory.ts [--connections 16] [--seconds 15] [--blobs 8] [--only berth|distribution]
// Needs the Debian packages wrk and docker-registry. Each server runs alone on fresh storage (one
// after the other, never together) and receives the same image over HTTP: `--blobs` random 1 MiB
// layer blobs, a config blob and an OCI manifest naming them. wrk (2 threads, `--connections`
// keep-alive connections) then GETs the blobs, cycling through their URLs, for `--seconds`; then
// the manifest for as long. Every 50 ms the server's VmRSS is read from /proc/<pid>/status; the
// report gives each phase's peak sample and the process's VmHWM (its peak resident set since it
// started, which a sample can miss), side by side, with wrk's requests/s. wrk, the servers and
// this script share the machine; everything stays on 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  residentMiB,
  startBerth,
  startDistribution,
  tailOf,
  type RegistryServer,
  type Target,
} from './registry-servers.ts';

const MiB = 1024 * 1024;
const REPOSITORY = 'bench-memory';
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const SAMPLE_EVERY_MS = 50;

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '15' },
    blobs: { type: 'string', default: '8' },
    only: { type: 'string' },
  },
});
if (values.only !== undefined && values.only !== 'berth' && values.only !== 'distribution') {
  console.error(`--only takes berth or distribution, not '${values.only}'`);
  process.exit(2);
}
const targets: Target[] = values.only ? [values.only as Target] : ['distribution', 'berth'];
const connections = Number(values.connections);
const seconds = Number(values.seconds);

const work = mkdtempSync(join(tmpdir(), 'berth-bench-registry-memory-'));
const children = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Kills what is still running and waits for it, so nothing writes into the folder while it is removed. */
async function abandon(): Promise<void> {
  const exits = [...children].map((child) => {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    return exited;
  });
  await Promise.all(exits);
  rmSync(work, { recursive: true, force: true, maxRetries: 3 });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void abandon().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface Image {
  blobs: Buffer[];
  config: Buffer;
  manifest: Buffer;
}

function makeImage(count: number): Image {
  const blobs = Array.from({ length: count }, () => randomBytes(MiB));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }));
  const descriptor = (mediaType: string, data: Buffer) => ({ mediaType, digest: sha256(data), size: data.length });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: blobs.map((blob) => descriptor('application/vnd.oci.image.layer.v1.tar', blob)),
    }),
  );
  return { blobs, config, manifest };
}

function authorization(server: RegistryServer): Record<string, string> {
  return server.creds ? { authorization: `Basic ${Buffer.from(server.creds).toString('base64')}` } : {};
}

/** Pushes one blob the way docker does: POST for an upload, then PUT ?digest= with the bytes. */
async function pushBlob(server: RegistryServer, data: Buffer): Promise<void> {
  const base = `http://${server.host}`;
  const started = await fetch(`${base}/v2/${REPOSITORY}/blobs/uploads/`, {
    method: 'POST',
    headers: authorization(server),
  });
  await started.arrayBuffer();
  const location = started.headers.get('location');
  if (started.status !== 202 || location === null) throw new Error(`${server.target}: POST upload ${started.status}`);
  const url = new URL(location, base);
  url.searchParams.set('digest', sha256(data));
  const put = await fetch(url, {
    method: 'PUT',
    body: data,
    headers: { ...authorization(server), 'content-type': 'application/octet-stream' },
  });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`${server.target}: PUT blob ${put.status}`);
}

async function pushImage(server: RegistryServer, image: Image): Promise<void> {
  for (const blob of [...image.blobs, image.config]) await pushBlob(server, blob);
  const response = await fetch(`http://${server.host}/v2/${REPOSITORY}/manifests/latest`, {
    method: 'PUT',
    body: image.manifest,
    headers: { ...authorization(server), 'content-type': MANIFEST_TYPE },
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`${server.target}: PUT manifest ${response.status}`);
}

/** A wrk script that sends every request to the next of `paths`, with the server's headers. */
function wrkScript(name: string, paths: readonly string[], headers: Record<string, string>): string {
  const file = join(work, `${name}.lua`);
  const lua = [
    ...Object.entries(headers).map(
      ([header, value]) => `wrk.headers[${JSON.stringify(header)}] = ${JSON.stringify(value)}`,
    ),
    `local paths = { ${paths.map((path) => JSON.stringify(path)).join(', ')} }`,
    'local next = 0',
    'request = function()',
    '  next = next % #paths + 1',
    '  return wrk.format("GET", paths[next])',
    'end',
  ];
  writeFileSync(file, lua.join('\n') + '\n');
  return file;
}

interface Phase {
  requestsPerSecond: number;
  peakSampleMiB: number;
}

/** Runs wrk against `paths` while sampling the server's VmRSS. */
async function load(server: RegistryServer, name: string, paths: readonly string[], headers: Record<string, string>) {
  const script = wrkScript(`${server.target}-${name}`, paths, headers);
  let peak = residentMiB(server.pid, 'VmRSS');
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, residentMiB(server.pid, 'VmRSS'));
    } catch {
      // The server exited: the check after wrk reports it.
    }
  }, SAMPLE_EVERY_MS);
  const child = spawn(
    'wrk',
    ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '-s', script, `http://${server.host}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(child);
  const stderr = tailOf(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  clearInterval(sampler);
  peak = Math.max(peak, residentMiB(server.pid, 'VmRSS'));
  if (code !== 0) throw new Error(`wrk ${name} on ${server.target} exited with ${code}: ${stderr()}`);
  const failed = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  if (failed !== undefined)
    throw new Error(`${server.target} answered ${failed} ${name} requests with an error:\n${out}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  if (rate === undefined) throw new Error(`no Requests/sec in wrk's output:\n${out}`);
  return { requestsPerSecond: Number(rate), peakSampleMiB: peak } satisfies Phase;
}

interface Result {
  startedMiB: number;
  blobs: Phase;
  manifests: Phase;
  hwmMiB: number;
}

async function measure(target: Target, image: Image): Promise<Result> {
  const dir = join(work, target);
  const server = target === 'berth' ? await startBerth(dir, [REPOSITORY], track) : await startDistribution(dir, track);
  try {
    const startedMiB = residentMiB(server.pid, 'VmRSS');
    await pushImage(server, image);
    const headers = authorization(server);
    const blobPaths = image.blobs.map((blob) => `/v2/${REPOSITORY}/blobs/${sha256(blob)}`);
    const blobs = await load(server, 'blobs', blobPaths, headers);
    const manifests = await load(server, 'manifests', [`/v2/${REPOSITORY}/manifests/latest`], {
      ...headers,
      accept: MANIFEST_TYPE,
    });
    // Still there after wrk cut its connections mid-answer at the end of each run?
    const alive = await fetch(`http://${server.host}/v2/`, { headers }).then((response) => response.status);
    if (alive !== 200) throw new Error(`${target} answered /v2/ with ${alive} after the load`);
    return { startedMiB, blobs, manifests, hwmMiB: residentMiB(server.pid, 'VmHWM') };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: Partial<Record<Target, Result>>): void {
  const measured = (['berth', 'distribution'] as const).filter((target) => results[target] !== undefined);
  const mib = (value: number) => `${value.toFixed(1)} MiB`;
  const line = (label: string, value: (result: Result) => string) =>
    console.log(`${label}: ${measured.map((target) => `${target} ${value(results[target]!)}`).join(', ')}`);
  console.log(
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, wrk -t2 -c${connections}, ${seconds} s per phase, ` +
      `${values.blobs} x 1 MiB blobs`,
  );
  line('RSS after start', (r) => mib(r.startedMiB));
  line(
    'peak RSS sampled, blob GETs',
    (r) => `${mib(r.blobs.peakSampleMiB)} (${r.blobs.requestsPerSecond.toFixed(0)} req/s)`,
  );
  line(
    'peak RSS sampled, manifest GETs',
    (r) => `${mib(r.manifests.peakSampleMiB)} (${r.manifests.requestsPerSecond.toFixed(0)} req/s)`,
  );
  // /proc's counters are approximate (per-CPU batches): a sample can read a little above VmHWM.
  line('peak RSS of the whole run (VmHWM)', (r) =>
    mib(Math.max(r.hwmMiB, r.blobs.peakSampleMiB, r.manifests.peakSampleMiB)),
  );
}

/** Fails early, with the fix, when a tool is missing (`wrk -v` prints its version but exits 1). */
function checkTools(): void {
  const tools = targets.includes('distribution') ? ['wrk', 'docker-registry'] : ['wrk'];
  for (const tool of tools) {
    try {
      execFileSync(tool, [tool === 'wrk' ? '-v' : '--version'], { stdio: 'ignore' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`${tool} is missing: apt-get install -y ${tool}`, { cause: error });
      }
    }
  }
}

async function run(): Promise<void> {
  checkTools();
  const image = makeImage(Number(values.blobs));
  const results: Partial<Record<Target, Result>> = {};
  try {
    for (const target of targets) {
      execFileSync('sync'); // the previous server's writes are not flushed during this one's run
      results[target] = await measure(target, image);
    }
  } finally {
    report(results);
  }
}

try {
  await run();
} catch (error) {
  console.error(`bench/registry-memory: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  await abandon();
}
