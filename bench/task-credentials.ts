// Benchmark (issue #18): the task credentials endpoint and the cost of secrets at task start.
//   node bench/task-credentials.ts [--rounds 5] [--requests 4000] [--concurrency 8] [--starts 10]
// 1. From inside a FARGATE task (managed capacity, awsvpc) with a task role, Node's fetch (undici,
//    keep-alive) asks http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI `--requests`
//    times with `--concurrency` requests in flight, and, side by side in the same container and
//    rounds, the task metadata endpoint ($ECS_CONTAINER_METADATA_URI_V4/task), served by the same
//    listener: requests/s and p50/p99 latency per round, the order flipping every round. The
//    credentials route crosses the host's NAT rule (169.254.170.2:80 → the agent's listener); the
//    metadata URI names the listener directly.
// 2. Time from RunTask to RUNNING of the same busybox task with 10 secrets (5 Secrets Manager
//    secrets, 5 SecureString parameters) and without any, both with the same execution role,
//    `--starts` rounds alternating which goes first; each task is stopped before the next, untimed.
// The image is busybox and the project's own Node on scratch (testing/sdk-image.ts); the server is
// `berth server` in its own process (bench/berth-process.ts). Every loop is bounded in count and time.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Secret,
} from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DockerSession } from '../testing/docker.ts';
import { buildSdkImage } from '../testing/sdk-image.ts';
import { removeContainersLabelled } from '../testing/tasks.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '8' },
    starts: { type: 'string', default: '10' },
  },
});
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const STARTS = Number(values.starts);
const RUN = randomBytes(4).toString('hex');
const CLUSTER = `bench-creds-${RUN}`;
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-bench'] } };
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Runs inside the task: ROUNDS rounds of both endpoints, printing one JSON line per round and endpoint. */
const LOAD = `
const [rounds, requests, concurrency] = process.argv.slice(2).map(Number);
const targets = {
  credentials: 'http://169.254.170.2' + process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  metadata: process.env.ECS_CONTAINER_METADATA_URI_V4 + '/task',
};
async function run(url) {
  const latencies = [];
  let next = 0;
  const deadline = Date.now() + 60_000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests && Date.now() < deadline) {
      next += 1;
      const t = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(url + ' answered ' + response.status);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { requests: latencies.length, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}
for (const name of Object.keys(targets)) await run(targets[name]); // warm-up, untimed
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? ['credentials', 'metadata'] : ['metadata', 'credentials'];
  for (const name of order) console.log(JSON.stringify({ round, endpoint: name, ...(await run(targets[name])) }));
}
console.log('done');
`;

const docker = new DockerSession();
const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-creds-'));
const { child: server, url } = await startBerthProcess(dataDir);
const client = { endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS, maxAttempts: 1 };
const ecs = new ECSClient(client);
const iam = new IAMClient(client);
const secretsManager = new SecretsManagerClient(client);
const ssm = new SSMClient(client);

async function waitForStatus(taskArn: string, done: (status: string) => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    const task = tasks?.[0];
    if (task && done(task.lastStatus ?? '')) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskArn} stuck: ${JSON.stringify(task)}`);
    await sleep(20);
  }
}

async function runTask(family: string, overrides = {}): Promise<string> {
  const { tasks, failures } = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: family,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      ...overrides,
    }),
  );
  if (!tasks?.[0]) throw new Error(`RunTask failed: ${JSON.stringify(failures)}`);
  return tasks[0].taskArn!;
}

try {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const { Role: taskRole } = await iam.send(
    new CreateRoleCommand({ RoleName: `bench-task-${RUN}`, AssumeRolePolicyDocument: TRUST }),
  );
  const { Role: executionRole } = await iam.send(
    new CreateRoleCommand({ RoleName: `bench-execution-${RUN}`, AssumeRolePolicyDocument: TRUST }),
  );
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: executionRole!.RoleName!,
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: executionRole!.RoleName!,
      PolicyName: 'secrets',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters', 'kms:Decrypt'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  const image = await buildSdkImage(docker, `berth-bench-creds-${RUN}:1`, {
    packages: [],
    scripts: { 'load.mjs': LOAD },
  });
  const fargate = {
    requiresCompatibilities: ['FARGATE' as const],
    networkMode: 'awsvpc' as const,
    cpu: '1024',
    memory: '2048',
  };

  // 1. The endpoint from inside a task.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `load-${RUN}`,
      ...fargate,
      taskRoleArn: taskRole!.Arn!,
      containerDefinitions: [
        {
          name: 'load',
          image,
          essential: true,
          command: ['/usr/local/bin/node', '/app/load.mjs', String(ROUNDS), String(REQUESTS), String(CONCURRENCY)],
        },
      ],
    }),
  );
  const loadTask = await runTask(`load-${RUN}`);
  const stopped = await waitForStatus(loadTask, (status) => status === 'STOPPED', 600_000);
  const logs = await docker.docker(['logs', stopped.containers![0]!.runtimeId!]);
  const lines = logs.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { round: number; endpoint: string; rps: number; p50: number; p99: number });
  if (!logs.stdout.includes('done')) throw new Error(`the load task failed: ${logs.stdout} ${logs.stderr}`);
  console.log(
    `machine: ${cpus().length} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(2)} at the end of part 1`,
  );
  for (const endpoint of ['credentials', 'metadata']) {
    const rounds = lines.filter((line) => line.endpoint === endpoint);
    console.log(
      `${endpoint.padEnd(12)} req/s per round: ${rounds.map((r) => Math.round(r.rps)).join(' / ')}; median ${Math.round(
        median(rounds.map((r) => r.rps)),
      )} req/s; median p50 ${median(rounds.map((r) => r.p50)).toFixed(2)} ms; median p99 ${median(
        rounds.map((r) => r.p99),
      ).toFixed(2)} ms (${CONCURRENCY} in flight, ${REQUESTS} requests a round)`,
    );
  }

  // 2. Task start with 10 secrets against none.
  const secrets: Secret[] = [];
  for (let i = 0; i < 5; i += 1) {
    const { ARN } = await secretsManager.send(
      new CreateSecretCommand({
        Name: `bench/${RUN}/secret-${i}`,
        SecretString: `value-${i}-${randomBytes(8).toString('hex')}`,
      }),
    );
    secrets.push({ name: `SECRET_${i}`, valueFrom: ARN! });
    await ssm.send(
      new PutParameterCommand({ Name: `/bench/${RUN}/param-${i}`, Type: 'SecureString', Value: `param-${i}` }),
    );
    secrets.push({ name: `PARAM_${i}`, valueFrom: `/bench/${RUN}/param-${i}` });
  }
  const busybox = (await docker.buildBusyboxImage(`berth-bench-creds-busybox-${RUN}:1`)).tag;
  for (const [family, withSecrets] of [
    [`plain-${RUN}`, false],
    [`secrets-${RUN}`, true],
  ] as const) {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn: executionRole!.Arn!,
        containerDefinitions: [
          {
            name: 'app',
            image: busybox,
            essential: true,
            command: ['sleep', '600'],
            // sleep as PID 1 ignores SIGTERM: the (untimed) stop between rounds would wait 30 s.
            stopTimeout: 1,
            ...(withSecrets ? { secrets } : {}),
          },
        ],
      }),
    );
  }
  const times: Record<string, number[]> = { plain: [], secrets: [] };
  for (let round = 0; round < STARTS; round += 1) {
    const order = round % 2 === 0 ? ['plain', 'secrets'] : ['secrets', 'plain'];
    for (const kind of order) {
      const started = performance.now();
      const arn = await runTask(`${kind}-${RUN}`);
      const task = await waitForStatus(arn, (status) => status === 'RUNNING' || status === 'STOPPED');
      if (task.lastStatus !== 'RUNNING') throw new Error(`the ${kind} task stopped: ${task.stoppedReason}`);
      times[kind]!.push(performance.now() - started);
      await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
      await waitForStatus(arn, (status) => status === 'STOPPED');
    }
  }
  const plain = median(times.plain!);
  const withSecrets = median(times.secrets!);
  console.log(
    `start, no secrets   ms per round: ${times.plain!.map(Math.round).join(' / ')}; median ${Math.round(plain)} ms`,
  );
  console.log(
    `start, 10 secrets   ms per round: ${times.secrets!.map(Math.round).join(' / ')}; median ${Math.round(withSecrets)} ms`,
  );
  console.log(`added by 10 secrets: ${Math.round(withSecrets - plain)} ms (median against median)`);
} finally {
  ecs.destroy();
  iam.destroy();
  secretsManager.destroy();
  ssm.destroy();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await removeContainersLabelled(
    docker,
    `com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`,
  );
  await docker.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}
