// Benchmark (issue #21): one server on SQLite, one on PostgreSQL and three on one PostgreSQL, side by
// side, in one run, then the failover time among the three.
//   node bench/multi-server.ts [--clients 16] [--seconds 10] [--client wrk|node]
//     [--instances 200] [--services 20] [--tasks 50] [--kills 20] [--postgres postgres://...] [--failover-only]
// For each configuration, on fresh servers (managed capacity, DNS and TLS ports off; a PostgreSQL
// schema of its own, dropped afterwards): (1) signed API calls/s, bench/signed-load.ts (as
// bench/signed-calls.ts; against three servers the connections are spread round-robin over them, as
// a TCP load balancer spreads connections: one wrk process per server), (2) services at scale,
// bench/service-scale-run.ts (as bench/service-scale.ts, at a reduced size by default so the three
// configurations fit the run: 200 simulated instances, 20 services of 50 tasks; against three
// servers the agents and the API calls are spread over them). One server on PostgreSQL runs without
// BERTH_MULTI_SERVER (the default for one server); three run with it. Then (3) bench/failover.ts:
// three servers, `--kills` times kill -9 of the cluster lease's holder, min/median/p90/max.
// PostgreSQL: --postgres, else BERTH_TEST_POSTGRES_URL. The three servers share the first one's keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ServerGroup } from '../testing/multi-server.ts';
import { spawnServer, type ServerProcess } from '../testing/server-process.ts';
import { BENCH_CREDENTIALS } from './berth-process.ts';
import { measureFailover, type FailoverRound } from './failover.ts';
import { ServiceScaleRun, type ServiceScaleFigures } from './service-scale-run.ts';
import { hasWrk, measureSignedCalls, type LoadClient, type SignedLoadResult } from './signed-load.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '10' },
    client: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
    instances: { type: 'string', default: '200' },
    services: { type: 'string', default: '20' },
    tasks: { type: 'string', default: '50' },
    kills: { type: 'string', default: '20' },
    postgres: { type: 'string', default: process.env.BERTH_TEST_POSTGRES_URL ?? '' },
    'failover-only': { type: 'boolean', default: false },
  },
});
if (!values.postgres) throw new Error('bench/multi-server needs --postgres or BERTH_TEST_POSTGRES_URL');
const postgres = values.postgres;
const workDir = mkdtempSync(join(tmpdir(), 'berth-bench-multi-'));
const credentialsEnv = {
  BERTH_ROOT_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
  BERTH_ROOT_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
};

/** Servers of one configuration, and how to stop them. */
interface Servers {
  readonly urls: string[];
  stop(): Promise<void>;
}

async function sqliteServer(): Promise<Servers> {
  const dataDir = mkdtempSync(join(workDir, 'sqlite-'));
  const server: ServerProcess = await spawnServer({
    ...credentialsEnv,
    BERTH_DATA_DIR: dataDir,
    BERTH_MANAGED_CAPACITY: 'off',
    BERTH_LOG_LEVEL: 'info',
  });
  return {
    urls: [server.url],
    async stop() {
      server.child.kill('SIGTERM');
      await server.exited;
    },
  };
}

async function postgresServers(count: number): Promise<Servers> {
  const group = new ServerGroup(postgres, { ...credentialsEnv, BERTH_MULTI_SERVER: count > 1 ? 'on' : 'off' });
  try {
    await group.start(count);
  } catch (error) {
    await group.close();
    throw error;
  }
  return { urls: group.servers.map((s) => s!.url), stop: () => group.close() };
}

interface Row {
  readonly name: string;
  readonly calls: SignedLoadResult;
  readonly scale: ServiceScaleFigures;
}

const log = (line: string): void => console.log(line);

async function measure(name: string, start: () => Promise<Servers>): Promise<Row> {
  log(`== ${name}`);
  const servers = await start();
  const dataDir = mkdtempSync(join(workDir, 'run-'));
  const run = new ServiceScaleRun({
    urls: servers.urls,
    instances: Number(values.instances),
    services: Number(values.services),
    tasks: Number(values.tasks),
    credentials: BENCH_CREDENTIALS,
    dataDir,
    limitMs: 4 * 60_000,
    log: (line) => log(`  ${line}`),
  });
  try {
    const calls = await measureSignedCalls({
      urls: servers.urls,
      clients: Number(values.clients),
      seconds: Number(values.seconds),
      client: values.client as LoadClient,
      credentials: BENCH_CREDENTIALS,
      workDir: dataDir,
    });
    log(`  signed ListClusters: ${describeCalls(calls)}`);
    const scale = await run.run();
    return { name, calls, scale };
  } finally {
    await run.stop();
    await servers.stop();
  }
}

const describeCalls = (c: SignedLoadResult): string =>
  `${Math.round(c.requestsPerSecond)} req/s, p50 ${c.p50.toFixed(2)} ms, p99 ${c.p99.toFixed(2)} ms, errors ${c.errors}`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function distribution(xs: readonly number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const s = (ms: number): string => (ms / 1000).toFixed(2);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return `min ${s(sorted[0]!)} s, median ${s(median)} s, p90 ${s(quantile(sorted, 0.9))} s, max ${s(sorted.at(-1)!)} s`;
}

async function failover(): Promise<FailoverRound[]> {
  log(`== failover: 3 servers on PostgreSQL, ${values.kills} kills of the cluster lease's holder`);
  const group = new ServerGroup(postgres, credentialsEnv);
  try {
    await group.start(3);
    return await measureFailover({
      group,
      servers: 3,
      kills: Number(values.kills),
      credentials: BENCH_CREDENTIALS,
      dataDir: mkdtempSync(join(workDir, 'failover-')),
      roundLimitMs: 60_000,
      log: (line) => log(`  ${line}`),
    });
  } finally {
    await group.close();
  }
}

const [before] = loadavg();
const started = performance.now();
try {
  const rows = values['failover-only']
    ? []
    : [
        await measure('1 server, SQLite', sqliteServer),
        await measure('1 server, PostgreSQL', () => postgresServers(1)),
        await measure('3 servers, PostgreSQL', () => postgresServers(3)),
      ];
  const rounds = await failover();
  const tasks = Number(values.services) * Number(values.tasks);
  log('');
  log(
    `| configuration | signed ListClusters (${values.clients} connections, ${values.seconds} s, ${values.client}) | ` +
      `${tasks} tasks steady | rollout | DescribeServices while starting |`,
  );
  for (const { name, calls, scale } of rows) {
    log(
      `| ${name} | ${describeCalls(calls)} | ${scale.steadySeconds.toFixed(1)} s (${Math.round(scale.tasksPerSecond)}/s) | ` +
        `${scale.rolloutSeconds.toFixed(1)} s | ${scale.describeSteadyMs.toFixed(0)} ms |`,
    );
  }
  log(
    `failover, kill -9 to the task placed by a survivor (${rounds.length}): ${distribution(rounds.map((r) => r.taskMs))}`,
  );
  log(`failover, kill -9 to the lease's new holder (${rounds.length}): ${distribution(rounds.map((r) => r.leaseMs))}`);
} finally {
  const [after] = loadavg();
  log(
    `(node ${process.version}, ${cpus().length} cores, load average ${before!.toFixed(2)} before, ${after!.toFixed(2)} after, ` +
      `${((performance.now() - started) / 60_000).toFixed(1)} min)`,
  );
  rmSync(workDir, { recursive: true, force: true });
}
