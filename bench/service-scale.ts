// Benchmark (issue #8): services at scale. A `berth server` in its own process, and 1,000 container
// instances in this one: the real agent (registration, long poll, task workers, report queue,
// SigV4 over HTTP) on a simulated runtime whose containers start at once and run until stopped.
// Then, with the AWS SDK v3: 100 REPLICA services of 50 tasks each (5,000 tasks), timed until all
// are steady; then UpdateService of all 100 to a new revision, timed until every rollout is
// COMPLETED and the old deployment is gone. Prints one line per figure. Targets on 2 cores: 5,000
// tasks steady in < 60 s, the rollout in < 120 s.
//   node bench/service-scale.ts [--instances 1000] [--services 100] [--tasks 50] [--server-cpu-prof DIR]
// Deployment configuration: ECS's default (minimumHealthyPercent 100, maximumPercent 200), which is
// what most ECS services run with; the instances are sized for twice the tasks (10 x 256 CPU units
// and 256 MiB each) so the new copies can start before the old ones stop, as an ECS user would size
// a cluster for rolling deployments. Placement is the service scheduler's default (spread across
// availability zones, then instances); the instances are in 3 zones. The run itself is
// bench/service-scale-run.ts (bench/multi-server.ts runs it too).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { GaveUp, ServiceScaleRun } from './service-scale-run.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    services: { type: 'string', default: '100' },
    tasks: { type: 'string', default: '50' },
    'server-cpu-prof': { type: 'string' },
  },
});

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-services-'));
const profDir = values['server-cpu-prof'];
const { child: server, url } = await startBerthProcess(join(dataDir, 'server'), {
  env: {
    BERTH_MANAGED_CAPACITY: 'off',
    ...(profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` } : {}),
  },
});
const run = new ServiceScaleRun({
  urls: [url],
  instances: Number(values.instances),
  services: Number(values.services),
  tasks: Number(values.tasks),
  credentials: BENCH_CREDENTIALS,
  dataDir,
  limitMs: 10 * 60_000,
  log: (line) => console.log(line),
});

async function cleanUp(): Promise<void> {
  await run.stop();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

try {
  await run.run();
} catch (error) {
  console.log(`bench/service-scale: ${error instanceof GaveUp ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  const [one, five] = loadavg();
  console.log(
    `(node ${process.version}, ${cpus().length} cores, load average ${one!.toFixed(2)} / ${five!.toFixed(2)})`,
  );
  await cleanUp();
}
