// Benchmark (issue #7): time from RunTask to RUNNING of a trivial FARGATE task on the local Docker
// engine (managed capacity, embedded in `berth server`), against `docker run` of the same image on
// the same engine; then 50 tasks started at once. Prints one line per figure. Targets: Berth's
// median within 20% of the reference, no failure at 50 concurrent starts.
//   node bench/task-start.ts [--rounds 20] [--concurrent 50]
// What each side does. A FARGATE task uses awsvpc: Berth starts a pause container holding the
// task's network namespace on a bridge network (berth-awsvpc, with its own address), then the
// task's container joined to it. The references, through the docker CLI:
//   - `docker run --rm -d IMAGE sleep 600`: one container on the default bridge;
//   - Berth's shape, two containers: `docker run --rm -d --network <a bridge network made by the bench>`
//     then `docker run --rm -d --network container:<first>`. (`--network none` for the first would
//     skip the veth and the address Berth's pause container gets.)
// `docker run -d` returns once the engine has started the container, so its wall time is the time
// to running, the CLI's own start-up included. Berth's time runs from sending RunTask (AWS SDK v3)
// to the first DescribeTasks answer showing lastStatus RUNNING, polled 20 ms after each answer.
// Berth pulls first (ECS's default: always pull, fall back to the local copy); the image exists
// only locally, so that pull fails (no registry answers for it) and the local copy is used, while
// docker run does not pull: the phase line shows what this costs. Rounds alternate the sides, the
// order flipping every round, and every container is removed (Berth: StopTask, then STOPPED)
// before the next start, untimed. The image is busybox on scratch (testing/docker.ts); everything
// the bench creates is labelled with its run id and removed at the end (Berth's own pause image
// and berth-awsvpc network stay, as after any Berth run).
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DockerSession } from '../testing/docker.ts';
import { removeContainersLabelled } from '../testing/tasks.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    concurrent: { type: 'string', default: '50' },
  },
});
const ROUNDS = Number(values.rounds);
const CONCURRENT = Number(values.concurrent);
const POLL_MS = 20;
const START_TIMEOUT_MS = 120_000;
const RUN = randomBytes(4).toString('hex');
const CLUSTER = `bench-start-${RUN}`;
const RUN_LABEL = `com.berth.bench-run=${RUN}`;
const NETWORK = `berth-bench-${RUN}`;

const docker = new DockerSession();
const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-start-'));
const { child: server, url } = await startBerthProcess(dataDir, {
  env: process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {},
});
const ecs = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS, maxAttempts: 1 });
let clusterArn = '';
let image = '';
let agent: ChildProcess | undefined;

async function dockerCli(args: readonly string[]): Promise<string> {
  const result = await docker.docker(args);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** `docker run --rm -d`, labelled with the run id; resolves with the container id. */
function dockerRun(network: string[]): Promise<string> {
  return dockerCli(['run', '--rm', '-d', '--label', RUN_LABEL, ...network, image, 'sleep', '600']);
}

/** One reference start: one container, or a first container on the bench's network and a second joined to it. */
async function dockerStart(shape: 'single' | 'pair'): Promise<string[]> {
  if (shape === 'single') return [await dockerRun([])];
  const first = await dockerRun(['--network', NETWORK]);
  return [first, await dockerRun(['--network', `container:${first}`])];
}

async function timeDockerStart(shape: 'single' | 'pair'): Promise<number> {
  const started = performance.now();
  const ids = await dockerStart(shape);
  const ms = performance.now() - started;
  await dockerCli(['rm', '-f', ...ids]);
  return ms;
}

async function describe(arns: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const answer = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(answer.tasks ?? []));
  }
  return tasks;
}

/**
 * Polls until every task is RUNNING (or stopped, or the time is up); resolves with the last answer
 * and, per task, the clock time of the first answer that showed it RUNNING.
 */
async function waitRunning(arns: readonly string[]): Promise<{ tasks: Task[]; seenAt: Map<string, number> }> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  const seenAt = new Map<string, number>();
  for (;;) {
    const tasks = await describe(arns);
    const now = Date.now();
    for (const t of tasks) if (t.lastStatus === 'RUNNING' && !seenAt.has(t.taskArn!)) seenAt.set(t.taskArn!, now);
    const pending = tasks.filter((t) => t.lastStatus !== 'RUNNING' && t.lastStatus !== 'STOPPED');
    if (pending.length === 0 || performance.now() > deadline) return { tasks, seenAt };
    await sleep(POLL_MS);
  }
}

/**
 * Where a start's time went, in ms, from the task's own timestamps: RunTask sent → created → pull
 * started (the agent took it and started the pause container) → pull stopped → started (the
 * container created and started, reported) → seen RUNNING by DescribeTasks.
 */
function phasesOf(task: Task, sent: number, seen: number): number[] {
  const times = [task.createdAt, task.pullStartedAt, task.pullStoppedAt, task.startedAt].map((d) => d!.getTime());
  const points = [sent, ...times, seen];
  return points.slice(1).map((point, i) => point - points[i]!);
}

function phasesLine(label: string, phases: readonly (readonly number[])[]): string {
  const phase = (i: number): string => `${median(phases.map((p) => p[i]!)).toFixed(0)} ms`;
  return (
    `${label} (medians, from the tasks' timestamps): RunTask ${phase(0)}, to pull start (assignment + pause ` +
    `container) ${phase(1)}, pull (fails, local copy used) ${phase(2)}, to RUNNING (create + start + report) ` +
    `${phase(3)}, until DescribeTasks shows it ${phase(4)}`
  );
}

async function runTasks(
  count: number,
  launchType: 'FARGATE' | 'EC2' = 'FARGATE',
): Promise<{ arns: string[]; failures: number }> {
  const { tasks, failures } = await ecs.send(
    new RunTaskCommand(
      launchType === 'FARGATE'
        ? {
            cluster: CLUSTER,
            taskDefinition: CLUSTER,
            launchType,
            count,
            networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
          }
        : { cluster: CLUSTER, taskDefinition: `${CLUSTER}-ec2`, launchType, count },
    ),
  );
  return { arns: (tasks ?? []).map((t) => t.taskArn!), failures: (failures ?? []).length };
}

/** StopTask for each, waits for STOPPED, then removes the stopped containers (Berth keeps them an hour). */
async function stopTasks(arns: readonly string[]): Promise<void> {
  for (let i = 0; i < arns.length; i += 10) {
    await Promise.all(arns.slice(i, i + 10).map((task) => ecs.send(new StopTaskCommand({ cluster: CLUSTER, task }))));
  }
  const deadline = performance.now() + 60_000;
  while ((await describe(arns)).some((t) => t.lastStatus !== 'STOPPED')) {
    if (performance.now() > deadline) throw new Error('tasks still not STOPPED 60 s after StopTask');
    await sleep(250);
  }
  await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${clusterArn}`);
  await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${CLUSTER}`);
}

interface BerthStart {
  ms: number;
  phases: number[];
}

async function timeBerthStart(launchType: 'FARGATE' | 'EC2' = 'FARGATE'): Promise<BerthStart> {
  const sent = Date.now();
  const started = performance.now();
  const { arns, failures } = await runTasks(1, launchType);
  if (failures > 0 || arns.length !== 1) throw new Error(`RunTask of one ${launchType} task failed`);
  const {
    tasks: [task],
    seenAt,
  } = await waitRunning(arns);
  const ms = performance.now() - started;
  if (task?.lastStatus !== 'RUNNING') throw new Error(`task ${arns[0]} is ${task?.lastStatus}: ${task?.stoppedReason}`);
  await stopTasks(arns);
  return { ms, phases: phasesOf(task, sent, seenAt.get(task.taskArn!)!) };
}

async function setUp(): Promise<void> {
  image = (await docker.buildBusyboxImage(`berth-bench-start-${RUN}:1`)).tag;
  await dockerCli(['network', 'create', '--label', RUN_LABEL, NETWORK]);
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: CLUSTER,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      // busybox sleep as PID 1 ignores SIGTERM: stopTimeout 0 has StopTask kill it at once (as
      // `docker rm -f` does the references) instead of after the default 30 s.
      containerDefinitions: [{ name: 'main', image, command: ['sleep', '600'], stopTimeout: 0 }],
    }),
  );
  // The like-for-like reference of `docker run` (one container): an EC2 task in bridge mode on a
  // `berth agent` of this machine.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${CLUSTER}-ec2`,
      networkMode: 'bridge',
      containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '600'], stopTimeout: 0 }],
    }),
  );
  agent = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'berth.js'), 'agent'], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
      BERTH_ENDPOINT: url,
      ECS_CLUSTER: CLUSTER,
      BERTH_AGENT_DATA_DIR: join(dataDir, 'agent'),
      ECS_LOGLEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = performance.now() + 30_000;
  while (
    ((await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns ?? []).length === 0
  ) {
    if (performance.now() > deadline) throw new Error('the berth agent did not register in 30 s');
    await sleep(200);
  }
}

async function ec2Starts(): Promise<void> {
  await timeBerthStart('EC2');
  await timeDockerStart('single');
  const berth: number[] = [];
  const single: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sides = [
      async () => berth.push((await timeBerthStart('EC2')).ms),
      async () => single.push(await timeDockerStart('single')),
    ];
    for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
  }
  const berthMs = median(berth);
  const singleMs = median(single);
  console.log(
    `start to RUNNING, one task (median of ${ROUNDS}, alternating): berth EC2 on a berth agent (bridge, one container) ` +
      `${berthMs.toFixed(0)} ms; docker run, one container ${singleMs.toFixed(0)} ms; ` +
      `berth overhead ${Math.round(((berthMs - singleMs) / singleMs) * 100) || 0}%`,
  );
}

async function sequentialStarts(): Promise<void> {
  // Warm-up: Berth's pause image and network, the JIT, the engine's caches.
  await timeBerthStart();
  await timeDockerStart('single');
  await timeDockerStart('pair');
  const berth: BerthStart[] = [];
  const single: number[] = [];
  const pair: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sides = [
      async () => berth.push(await timeBerthStart()),
      async () => single.push(await timeDockerStart('single')),
      async () => pair.push(await timeDockerStart('pair')),
    ];
    for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
  }
  const berthMs = median(berth.map((b) => b.ms));
  const pairMs = median(pair);
  const singleMs = median(single);
  const overhead = (reference: number): string => `${Math.round(((berthMs - reference) / reference) * 100) || 0}%`;
  console.log(
    `start to RUNNING, one task (median of ${ROUNDS}, alternating): berth FARGATE (awsvpc: pause + container) ` +
      `${berthMs.toFixed(0)} ms; docker run, pause-like container on a bridge network + one joined to it ` +
      `${pairMs.toFixed(0)} ms; docker run, one container ${singleMs.toFixed(0)} ms; ` +
      `berth overhead ${overhead(pairMs)} over the two-container docker run, ${overhead(singleMs)} over the one-container`,
  );
  console.log(
    phasesLine(
      'berth phases, one task',
      berth.map((b) => b.phases),
    ),
  );
}

/** CONCURRENT tasks at once: RunTask calls of count 10, all sent together; then the same with docker run. */
async function concurrentStarts(): Promise<void> {
  const sent = Date.now();
  const started = performance.now();
  const calls = Array.from({ length: Math.ceil(CONCURRENT / 10) }, (_, i) => Math.min(10, CONCURRENT - i * 10));
  const results = await Promise.all(calls.map((count) => runTasks(count)));
  const arns = results.flatMap((r) => r.arns);
  const { tasks, seenAt } = await waitRunning(arns);
  const seconds = (performance.now() - started) / 1000;
  const running = tasks.filter((t) => t.lastStatus === 'RUNNING');
  const failures = results.reduce((sum, r) => sum + r.failures, 0) + (arns.length - running.length);
  await stopTasks(arns);

  const reference = async (shape: 'single' | 'pair'): Promise<{ seconds: number; failures: number }> => {
    const t = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => dockerStart(shape)));
    const elapsed = (performance.now() - t) / 1000;
    await removeContainersLabelled(docker, RUN_LABEL);
    return { seconds: elapsed, failures: outcomes.filter((o) => o.status === 'rejected').length };
  };
  const pair = await reference('pair');
  const single = await reference('single');
  const rate = (s: number): string => `${(CONCURRENT / s).toFixed(1)} tasks/s`;
  console.log(
    `${CONCURRENT} tasks started at once: berth (${calls.length} RunTask calls of count ${calls[0]}) ` +
      `${seconds.toFixed(2)} s until all RUNNING, ${rate(seconds)}, ${failures} failures; ` +
      `docker run pairs (pause-like + joined) ${pair.seconds.toFixed(2)} s, ${rate(pair.seconds)}, ${pair.failures} failures; ` +
      `docker run, one container each ${single.seconds.toFixed(2)} s, ${rate(single.seconds)}, ${single.failures} failures; ` +
      `berth ${Math.round(((seconds - pair.seconds) / pair.seconds) * 100) || 0}% over the pairs`,
  );
  const phases = running.map((t) => phasesOf(t, sent, seenAt.get(t.taskArn!)!));
  console.log(phasesLine(`berth phases, ${CONCURRENT} at once`, phases));
}

async function cleanUp(): Promise<void> {
  ecs.destroy();
  agent?.kill('SIGTERM');
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  // What is left after a failure: the tasks' containers (Berth leaves running tasks' containers to a
  // restarted agent) and the references'.
  if (clusterArn) await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${clusterArn}`);
  await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${CLUSTER}`);
  await removeContainersLabelled(docker, RUN_LABEL);
  await docker.docker(['network', 'rm', NETWORK]);
  await docker.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

try {
  await setUp();
  await sequentialStarts();
  await ec2Starts();
  await concurrentStarts();
  console.log(
    `(node ${process.version}, ${cpus().length} cores, docker engine ${await dockerCli(['version', '--format', '{{.Server.Version}}'])})`,
  );
} catch (error) {
  console.error(`bench/task-start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
