// Benchmark: push and pull throughput of the registry with skopeo, Berth against Debian's
// docker-registry (CNCF distribution 2.8) in the same run, and Berth's peak RSS while it receives a
// 1 GiB layer (target: under 200 MiB). Prints one line per figure.
//   node bench/registry.ts [--quick] [--only berth|distribution] [--rounds 3]
// Needs the Debian packages skopeo and docker-registry. The images are random layers written as OCI
// layouts (bench/oci-layout.ts). The servers run one after the other, never together, alternating
// over --rounds rounds on fresh storage; each figure is the median of the rounds, each copy coming
// after a warm-up push and pull of a tiny image. Throughput is layer bytes over the
// wall time of the skopeo process, so it includes skopeo's start-up and its HTTPS probe before it
// falls back to HTTP. Client and servers share the machine, and skopeo 1.9 spends ~15 ms of its own
// CPU per pushed blob, so the 200-layer push mostly measures skopeo and its ratio stays near 1.
// Everything stays on 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeImageLayout, type ImageLayout } from './oci-layout.ts';
import {
  residentMiB,
  startBerth,
  startDistribution,
  tailOf,
  type RegistryServer as Registry,
  type Target,
} from './registry-servers.ts';
import { median } from './stats.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const COPY_TIMEOUT_MS = 10 * 60 * 1000;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});
if (values.only !== undefined && values.only !== 'berth' && values.only !== 'distribution') {
  console.error(`--only takes berth or distribution, not '${values.only}'`);
  process.exit(2);
}
const targets: Target[] = values.only ? [values.only as Target] : ['distribution', 'berth'];
const sizes = values.quick
  ? { large: 16 * MiB, manyCount: 20, manySize: 64 * KiB, rss: 64 * MiB }
  : { large: 256 * MiB, manyCount: 200, manySize: 64 * KiB, rss: 1 * GiB };

interface Workload {
  name: string;
  repository: string;
  image: ImageLayout;
}

const work = mkdtempSync(join(tmpdir(), 'berth-bench-registry-'));
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills what is still running (only on failure or interruption) and waits for it, so nothing writes into the
 * temporary folder while it is removed. */
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

function formatSize(bytes: number, separator = ''): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB}${separator}GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB}${separator}MiB`;
  return `${bytes / KiB}${separator}KiB`;
}

/** Runs one `skopeo copy` and returns its wall time in seconds. `what` names it in errors, without the password. */
async function copy(what: string, args: readonly string[]): Promise<number> {
  const started = performance.now();
  const child = track(
    spawn('skopeo', ['--insecure-policy', 'copy', '--quiet', '--retry-times', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: COPY_TIMEOUT_MS,
    }),
  );
  const stderr = tailOf(child);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`skopeo ${what} failed (${signal ?? `exit ${code}`}): ${stderr()}`);
  return seconds;
}

function push(registry: Registry, image: ImageLayout, repository: string): Promise<number> {
  const reference = `${registry.host}/${repository}:${image.tag}`;
  return copy(`push to ${reference}`, [
    ...(registry.creds ? ['--dest-creds', registry.creds] : ['--dest-no-creds']),
    '--dest-tls-verify=false',
    `oci:${image.dir}:${image.tag}`,
    `docker://${reference}`,
  ]);
}

async function pull(registry: Registry, image: ImageLayout, repository: string): Promise<number> {
  const reference = `${registry.host}/${repository}:${image.tag}`;
  const dir = join(work, 'pulled');
  rmSync(dir, { recursive: true, force: true });
  const seconds = await copy(`pull from ${reference}`, [
    ...(registry.creds ? ['--src-creds', registry.creds] : ['--src-no-creds']),
    '--src-tls-verify=false',
    `docker://${reference}`,
    `oci:${dir}:${image.tag}`,
  ]);
  // A byte-identical manifest means every blob went both ways unchanged: skopeo rewrites the
  // manifest whenever it recompresses a layer, which would make the figures measure gzip.
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const digest = index.manifests[0]?.digest;
  rmSync(dir, { recursive: true, force: true });
  if (digest !== image.manifestDigest) {
    throw new Error(`${reference}: pulled manifest ${digest}, pushed ${image.manifestDigest}`);
  }
  return seconds;
}

/** Flushes the page cache's dirty pages, so that no copy pays for writing back the previous one. */
function settle(): void {
  execFileSync('sync');
}

/** Every round's MiB/s per figure and target; the report gives the median. */
type Figures = Map<string, Partial<Record<Target, number[]>>>;

function record(figures: Figures, figure: string, target: Target, mibPerSecond: number): void {
  const byTarget = figures.get(figure) ?? {};
  byTarget[target] = [...(byTarget[target] ?? []), mibPerSecond];
  figures.set(figure, byTarget);
}

async function measure(
  registry: Registry,
  warmUp: Workload,
  workloads: readonly Workload[],
  figures: Figures,
): Promise<void> {
  await push(registry, warmUp.image, warmUp.repository);
  await pull(registry, warmUp.image, warmUp.repository);
  for (const { name, repository, image } of workloads) {
    for (const direction of ['push', 'pull'] as const) {
      settle();
      const seconds = await (direction === 'push' ? push : pull)(registry, image, repository);
      const mibPerSecond = image.layerBytes / MiB / seconds;
      process.stderr.write(`${registry.target}: ${direction} ${name}: ${seconds.toFixed(2)} s\n`);
      record(figures, `${direction} ${name}`, registry.target, mibPerSecond);
    }
  }
}

/** Berth's VmHWM (peak resident set) after pushing one layer to a fresh server, in MiB. */
async function berthPeakRss(image: ImageLayout): Promise<number> {
  const registry = await startBerth(join(work, 'berth-rss-data'), ['bench-rss'], track);
  try {
    settle();
    await push(registry, image, 'bench-rss');
    return residentMiB(registry.pid, 'VmHWM');
  } finally {
    await registry.stop();
  }
}

function report(figures: Figures): void {
  for (const [figure, byTarget] of figures) {
    const measured = (['berth', 'distribution'] as const).filter((target) => byTarget[target] !== undefined);
    const medians = Object.fromEntries(measured.map((target) => [target, median(byTarget[target]!)])) as Partial<
      Record<Target, number>
    >;
    const parts = measured.map((target) => `${target} ${medians[target]!.toFixed(1)} MiB/s`);
    if (medians.berth !== undefined && medians.distribution !== undefined) {
      parts.push(`ratio ${(medians.berth / medians.distribution).toFixed(2)}`);
    }
    const rounds = Math.max(...measured.map((target) => byTarget[target]!.length));
    console.log(`${figure}: ${parts.join(', ')} (median of ${rounds})`);
  }
}

/** Fails early, with the fix, when a tool is missing: a missing server binary would only show up mid-run. */
function checkTools(): void {
  const tools = targets.includes('distribution') ? ['skopeo', 'docker-registry'] : ['skopeo'];
  for (const tool of tools) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is missing: apt-get install -y ${tool}`);
    }
  }
}

async function run(): Promise<void> {
  checkTools();
  const images = join(work, 'images');
  const warmUp = {
    name: 'warm-up',
    repository: 'bench-warmup',
    image: await writeImageLayout(join(images, 'warm-up'), [4 * KiB], 'warm-up'),
  };
  const workloads: Workload[] = [
    {
      name: `1x${formatSize(sizes.large)}`,
      repository: 'bench-large',
      image: await writeImageLayout(join(images, 'large'), [sizes.large], 'large'),
    },
    {
      name: `${sizes.manyCount}x${formatSize(sizes.manySize)}`,
      repository: 'bench-many',
      image: await writeImageLayout(join(images, 'many'), Array(sizes.manyCount).fill(sizes.manySize), 'many'),
    },
  ];
  const figures: Figures = new Map();
  const rounds = Number(values.rounds);
  try {
    // Rounds alternate the servers, each on fresh storage (a second push of the same image would
    // find its blobs there), so that drift in the machine's speed lands on both alike.
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        const registry =
          target === 'berth'
            ? await startBerth(
                join(work, `berth-data-${round}`),
                [warmUp, ...workloads].map((workload) => workload.repository),
                track,
              )
            : await startDistribution(join(work, `distribution-${round}`), track);
        try {
          await measure(registry, warmUp, workloads, figures);
        } finally {
          await registry.stop();
          rmSync(join(work, target === 'berth' ? `berth-data-${round}` : `distribution-${round}`), {
            recursive: true,
            force: true,
          });
        }
      }
    }
  } finally {
    report(figures); // what one server measured still counts when the other fails
  }
  if (targets.includes('berth')) {
    const image = await writeImageLayout(join(images, 'rss'), [sizes.rss], 'rss');
    const peak = await berthPeakRss(image);
    console.log(`berth peak RSS pushing ${formatSize(sizes.rss, ' ')} layer: ${peak.toFixed(1)} MiB`);
  }
}

try {
  await run();
} catch (error) {
  console.error(`bench/registry: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  await abandon();
}
