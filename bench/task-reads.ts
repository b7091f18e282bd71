// Benchmark (issue #5): the task read paths of a `berth server` process in a cluster of 10,000
// tasks: DescribeTasks of 100 random tasks, ListTasks' first page (maxResults 100), and a whole
// ListTasks pagination walk. Prints one line per figure: requests/s with --clients keep-alive
// clients, and p50/p99 latency both for one client alone and under that load. Target: p99 < 50 ms.
//   node bench/task-reads.ts [--tasks 10000] [--clients 4] [--requests 2000] [--seconds 10]
// The tasks come from RunTask (EC2 launch type, count 10, --parallel calls at once) on instances
// registered with huge resources and no agent: they stay PENDING, which the read paths do not
// mind. The bench re-registers the instances every 20 s, as an agent's heartbeat would, so that
// they stay connected (and placeable) past the server's 60 s timeout. Setting up takes most of the
// run: each EC2 RunTask reads every unstopped task of the cluster to place its copies, so the calls
// slow down as the cluster fills (the setup line shows by how much). Each measured request is
// signed beforehand with the AWS SDK's signer (a signature stays valid for 15 minutes) and sent on
// node:http with keep-alive, so the client spends its CPU on HTTP, not on signing or on parsing
// responses; every kind of answer is checked once before it is timed. Client and server share the
// machine.
import {
  CreateClusterCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RegisterContainerInstanceCommandInput,
} from '@aws-sdk/client-ecs';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ECS_TARGET, signJsonCall } from '../testing/signed-request.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    instances: { type: 'string', default: '10' },
    parallel: { type: 'string', default: '4' },
    clients: { type: 'string', default: '4' },
    requests: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
  },
});
const TASKS = Number(values.tasks);
const INSTANCES = Number(values.instances);
const PARALLEL = Number(values.parallel);
const CLIENTS = Number(values.clients);
const REQUESTS = Number(values.requests);
const SECONDS = Number(values.seconds);
const RUN_COUNT = 10;
const CLUSTER = 'bench-reads';
const credentials = BENCH_CREDENTIALS;

interface Signed {
  headers: Record<string, string>;
  body: string;
}

interface Latencies {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  count: number;
  errors: number;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-reads-'));
const { child: server, url } = await startBerthProcess(dataDir);
const { hostname, port } = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
const ecs = new ECSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

function sign(operation: string, input: object): Promise<Signed> {
  return signJsonCall(url, `${ECS_TARGET}.${operation}`, JSON.stringify(input), { credentials });
}

/** Sends one pre-signed call; resolves with the status and, if asked, the body. */
function send(call: Signed, keepBody = false): Promise<{ status: number; body: string }> {
  const headers = { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) };
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: '/', method: 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (keepBody) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

async function answer<T>(call: Signed): Promise<T> {
  const { status, body } = await send(call, true);
  if (status !== 200) throw new Error(`status ${status}: ${body.slice(0, 500)}`);
  return JSON.parse(body) as T;
}

/**
 * `clients` loops, each sending `next()`'s calls one after the other until `requests` calls in all
 * or `SECONDS`, whichever comes first. A unit is one call, or a sequence of calls (a pagination
 * walk) timed as one.
 */
async function measure(clients: number, requests: number, next: () => Signed[]): Promise<Latencies> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const loop = async (): Promise<void> => {
    while (issued < requests && performance.now() < deadline) {
      issued += 1;
      const unit = next();
      const t = performance.now();
      for (const call of unit) if ((await send(call)).status !== 200) errors += 1;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    count: latencies.length,
    errors,
  };
}

/** Registers the instances, then keeps them connected with a re-registration every 20 s. */
async function registerInstances(): Promise<{ arns: string[]; heartbeat: NodeJS.Timeout }> {
  const input = (i: number): RegisterContainerInstanceCommandInput => ({
    cluster: CLUSTER,
    instanceIdentityDocument: JSON.stringify({
      instanceId: `i-bench${String(i).padStart(10, '0')}`,
      availabilityZone: 'us-east-1a',
    }),
    // Far more than 10,000 tasks need: placement never fails for want of resources.
    totalResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 1_000_000_000 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 1_000_000_000 },
    ],
    attributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
  });
  const arns: string[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const { containerInstance } = await ecs.send(new RegisterContainerInstanceCommand(input(i)));
    arns.push(containerInstance!.containerInstanceArn!);
  }
  const heartbeat = setInterval(() => {
    for (const [i, containerInstanceArn] of arns.entries()) {
      ecs.send(new RegisterContainerInstanceCommand({ ...input(i), containerInstanceArn })).catch((error: unknown) => {
        console.error(`heartbeat of instance ${i}: ${String(error)}`);
      });
    }
  }, 20_000);
  return { arns, heartbeat };
}

/** Creates the tasks with RunTask count 10, PARALLEL calls at once; returns their ARNs and the call latencies. */
async function createTasks(): Promise<{ arns: string[]; callMs: number[]; seconds: number }> {
  const calls = Math.ceil(TASKS / RUN_COUNT);
  const arns: string[] = [];
  const callMs: number[] = new Array<number>(calls);
  let nextCall = 0;
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (nextCall < calls) {
      const call = nextCall++;
      const t = performance.now();
      const { tasks, failures } = await ecs.send(
        new RunTaskCommand({
          cluster: CLUSTER,
          taskDefinition: 'bench-reads',
          launchType: 'EC2',
          count: Math.min(RUN_COUNT, TASKS - call * RUN_COUNT),
        }),
      );
      callMs[call] = performance.now() - t;
      if ((failures ?? []).length > 0) throw new Error(`RunTask failures: ${JSON.stringify(failures)}`);
      for (const task of tasks ?? []) arns.push(task.taskArn!);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, loop));
  return { arns, callMs, seconds: (performance.now() - started) / 1000 };
}

function formatLine(figure: string, alone: Latencies, loaded: Latencies, unit = 'req/s'): string {
  const ms = (n: number): string => `${n.toFixed(1)} ms`;
  return (
    `${figure}: ${Math.round(loaded.requestsPerSecond)} ${unit} with ${CLIENTS} clients ` +
    `(p50 ${ms(loaded.p50)}, p99 ${ms(loaded.p99)}), 1 client p50 ${ms(alone.p50)}, p99 ${ms(alone.p99)}; ` +
    `errors ${alone.errors + loaded.errors}, ${alone.count} + ${loaded.count} requests`
  );
}

async function run(): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'bench-reads',
      containerDefinitions: [{ name: 'app', image: 'busybox', memory: 16, cpu: 1, command: ['sleep', '600'] }],
    }),
  );
  const { heartbeat } = await registerInstances();
  let created;
  try {
    created = await createTasks();
  } finally {
    clearInterval(heartbeat);
  }
  const { arns, callMs, seconds } = created;
  const window = Math.min(50, Math.floor(callMs.length / 2));
  const firstCalls = callMs.slice(0, window).sort((a, b) => a - b);
  const lastCalls = callMs.slice(-window).sort((a, b) => a - b);
  console.log(
    `setup: ${arns.length} tasks on ${INSTANCES} instances by ${callMs.length} RunTask calls (EC2, count ${RUN_COUNT}, ` +
      `${PARALLEL} at once) in ${seconds.toFixed(1)} s; RunTask p50 ${percentile(firstCalls, 0.5).toFixed(1)} ms ` +
      `over the first ${window} calls, ${percentile(lastCalls, 0.5).toFixed(1)} ms over the last ${window}`,
  );

  // DescribeTasks: 100 distinct random ARNs per call, each call signed beforehand.
  const randomHundred = (): string[] => {
    const picked = new Set<string>();
    while (picked.size < Math.min(100, arns.length)) picked.add(arns[Math.floor(Math.random() * arns.length)]!);
    return [...picked];
  };
  const describeCalls = await Promise.all(
    Array.from({ length: 2 * REQUESTS }, () => sign('DescribeTasks', { cluster: CLUSTER, tasks: randomHundred() })),
  );
  const described = await answer<{ tasks: unknown[]; failures: unknown[] }>(describeCalls[0]!);
  if (described.tasks.length !== 100 || described.failures.length !== 0) {
    throw new Error(`DescribeTasks: ${described.tasks.length} tasks, ${described.failures.length} failures`);
  }
  let d = 0;
  const nextDescribe = (): Signed[] => [describeCalls[d++ % describeCalls.length]!];
  for (let i = 0; i < 200; i++) await send(nextDescribe()[0]!); // warm-up: JIT, statement cache
  const describeAlone = await measure(1, REQUESTS, nextDescribe);
  const describeLoaded = await measure(CLIENTS, REQUESTS, nextDescribe);
  console.log(formatLine(`DescribeTasks of 100 random tasks among ${arns.length}`, describeAlone, describeLoaded));

  // ListTasks: the first page, then a walk replaying the pages' calls (the tokens stay valid: no task changes).
  const firstPage = await sign('ListTasks', { cluster: CLUSTER, maxResults: 100 });
  const pages: Signed[] = [firstPage];
  let listed = 0;
  for (let call = firstPage; ;) {
    const page = await answer<{ taskArns: string[]; nextToken?: string }>(call);
    listed += page.taskArns.length;
    if (page.nextToken === undefined) break;
    call = await sign('ListTasks', { cluster: CLUSTER, maxResults: 100, nextToken: page.nextToken });
    pages.push(call);
  }
  if (listed !== arns.length) throw new Error(`the ListTasks walk found ${listed} tasks, not ${arns.length}`);
  for (let i = 0; i < 200; i++) await send(firstPage);
  const firstAlone = await measure(1, REQUESTS, () => [firstPage]);
  const firstLoaded = await measure(CLIENTS, REQUESTS, () => [firstPage]);
  console.log(formatLine(`ListTasks first page (maxResults 100) of ${arns.length}`, firstAlone, firstLoaded));

  // A walk is `pages.length` calls in sequence; the figures are per page, then per walk.
  let p = 0;
  const nextPage = (): Signed[] => [pages[p++ % pages.length]!];
  const pageAlone = await measure(1, REQUESTS, nextPage);
  const pageLoaded = await measure(CLIENTS, REQUESTS, nextPage);
  const walks = Math.max(1, Math.floor(REQUESTS / pages.length));
  const walkAlone = await measure(1, walks, () => pages);
  console.log(
    formatLine(`ListTasks walk, ${pages.length} pages of 100, per page`, pageAlone, pageLoaded) +
      `; whole walk, 1 client: p50 ${(walkAlone.p50 / 1000).toFixed(2)} s, ` +
      `p99 ${(walkAlone.p99 / 1000).toFixed(2)} s over ${walkAlone.count} walks`,
  );
  console.log(`(node ${process.version}, ${cpus().length} cores)`);
}

try {
  await run();
} catch (error) {
  console.error(`bench/task-reads: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  ecs.destroy();
  agent.destroy();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
