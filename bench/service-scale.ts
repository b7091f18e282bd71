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
// availability zones, then instances); the instances are in 3 zones.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { resolveAgentConfig } from '../src/agent/index.ts';
import { SimulatedRuntime } from '../src/agent/runtime/fake/simulated-runtime.ts';
import { startAgent, type RunningAgent } from '../src/cmd/agent-command.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    services: { type: 'string', default: '100' },
    tasks: { type: 'string', default: '50' },
    'server-cpu-prof': { type: 'string' },
  },
});
const INSTANCES = Number(values.instances);
const SERVICES = Number(values.services);
const TASKS = Number(values.tasks);
const TASK_UNITS = 256;
const INSTANCE_UNITS = TASK_UNITS * Math.ceil((2 * SERVICES * TASKS) / INSTANCES);
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const CLUSTER = 'bench-services';
const FAMILY = 'bench-app';
const DEADLINE = performance.now() + 10 * 60_000;
const POLL_MS = 250;

class GaveUp extends Error {}

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-services-'));
const profDir = values['server-cpu-prof'];
const { child: server, url } = await startBerthProcess(join(dataDir, 'server'), {
  env: {
    BERTH_MANAGED_CAPACITY: 'off',
    ...(profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` } : {}),
  },
});
const ecs = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS, maxAttempts: 3 });
const agents: RunningAgent[] = [];
const runtimes: SimulatedRuntime[] = [];

const serviceName = (i: number): string => `svc-${String(i).padStart(3, '0')}`;

async function registerRevision(): Promise<string> {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      networkMode: 'bridge',
      containerDefinitions: [
        { name: 'app', image: 'bench/app:1', cpu: TASK_UNITS, memory: TASK_UNITS, essential: true },
      ],
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}

async function startAgents(): Promise<void> {
  const env = {
    AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ECS_LOGLEVEL: 'error',
  };
  for (let i = 0; i < INSTANCES; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, INSTANCES - i) }, async (_, j) => {
        const n = i + j;
        const config = resolveAgentConfig(
          {
            endpoint: url,
            cluster: CLUSTER,
            'availability-zone': ZONES[n % ZONES.length],
            cpu: String(INSTANCE_UNITS),
            memory: String(INSTANCE_UNITS),
            'data-dir': join(dataDir, 'agents', String(n)),
          },
          undefined,
          env,
        );
        const runtime = new SimulatedRuntime();
        runtimes.push(runtime);
        agents.push(await startAgent(config, env, () => runtime));
      }),
    );
  }
}

/** Every service, described in batches of 10 (DescribeServices' limit), one batch after another. */
async function describeAll(): Promise<Service[]> {
  const services: Service[] = [];
  for (let i = 0; i < SERVICES; i += 10) {
    const names = Array.from({ length: Math.min(10, SERVICES - i) }, (_, j) => serviceName(i + j));
    const answer = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: names }));
    services.push(...(answer.services ?? []));
  }
  return services;
}

/** Polls until every service passes `done`; resolves with the seconds since `started`. */
async function until(
  started: number,
  what: string,
  done: (service: Service) => boolean,
): Promise<{ seconds: number; describeMs: number[] }> {
  const describeMs: number[] = [];
  for (;;) {
    const t = performance.now();
    const services = await describeAll();
    describeMs.push(performance.now() - t);
    const left = SERVICES - services.filter(done).length;
    if (left === 0) return { seconds: (performance.now() - started) / 1000, describeMs };
    if (performance.now() > DEADLINE) {
      const running = services.reduce((sum, s) => sum + (s.runningCount ?? 0), 0);
      const stuck = services.find((s) => !done(s));
      const deployments = (stuck?.deployments ?? []).map(
        (d) =>
          `${d.id} ${d.status} ${d.rolloutState} ${d.taskDefinition?.split(':').at(-1)} running ${d.runningCount} pending ${d.pendingCount}`,
      );
      throw new GaveUp(
        `gave up after 10 minutes: ${what}: ${left} of ${SERVICES} services not there yet (${running} tasks running); ` +
          `${stuck?.serviceName}: ${deployments.join('; ')}; last events: ` +
          (stuck?.events ?? [])
            .slice(0, 3)
            .map((e) => e.message)
            .join(' | '),
      );
    }
    await sleep(POLL_MS);
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function run(): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const first = await registerRevision();
  let t = performance.now();
  await startAgents();
  console.log(
    `${INSTANCES} simulated instances registered (${ZONES.length} zones, ${INSTANCE_UNITS} CPU units and MiB each): ` +
      `${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  console.log(
    `deployment configuration: ECS's default, minimumHealthyPercent 100 / maximumPercent 200 ` +
      `(instances sized for 2x the tasks, ${TASK_UNITS} CPU units and MiB per task)`,
  );

  t = performance.now();
  for (let i = 0; i < SERVICES; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, SERVICES - i) }, (_, j) =>
        ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: serviceName(i + j),
            taskDefinition: first,
            desiredCount: TASKS,
            launchType: 'EC2',
          }),
        ),
      ),
    );
  }
  const created = (performance.now() - t) / 1000;
  const steady = await until(
    t,
    'services steady',
    (s) => s.deployments?.length === 1 && s.desiredCount === TASKS && s.runningCount === TASKS,
  );
  const total = SERVICES * TASKS;
  console.log(`${SERVICES} CreateService calls: ${created.toFixed(1)} s`);
  console.log(`services steady: ${steady.seconds.toFixed(1)} s (${total} tasks)`);
  console.log(`tasks started per second: ${(total / steady.seconds).toFixed(0)}`);
  console.log(
    `DescribeServices of all ${SERVICES} (${Math.ceil(SERVICES / 10)} calls) while starting: median ${median(steady.describeMs).toFixed(0)} ms`,
  );
  const simulated = runtimes.reduce((sum, r) => sum + r.runningCount, 0);
  console.log(`containers running on the simulated instances: ${simulated}`);

  const second = await registerRevision();
  t = performance.now();
  for (let i = 0; i < SERVICES; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, SERVICES - i) }, (_, j) =>
        ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: serviceName(i + j), taskDefinition: second })),
      ),
    );
  }
  const rollout = await until(
    t,
    'rollout',
    (s) =>
      s.deployments?.length === 1 &&
      s.deployments[0]!.taskDefinition === second &&
      s.deployments[0]!.rolloutState === 'COMPLETED' &&
      s.runningCount === TASKS,
  );
  console.log(`rollout completed: ${rollout.seconds.toFixed(1)} s (${total} tasks replaced)`);
  console.log(
    `DescribeServices of all ${SERVICES} (${Math.ceil(SERVICES / 10)} calls) during the rollout: median ${median(rollout.describeMs).toFixed(0)} ms`,
  );
}

async function cleanUp(): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()));
  ecs.destroy();
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
  await run();
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
