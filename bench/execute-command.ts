// Benchmark (issue #23): ECS Exec through AWS's own client path.
//   node bench/execute-command.ts [--rounds 5] [--throughput-rounds 3]
// One `berth server` process (bench/berth-process.ts) and a FARGATE busybox task (managed capacity)
// started with enableExecuteCommand, a task role allowing ssmmessages' channels, and a 10 MiB text
// file made at start. Each round runs `aws ecs execute-command --interactive` with AWS's
// session-manager-plugin under a pseudo-terminal, as a user does:
// 1. time to first output byte: from spawning the CLI until `echo`'s marker shows on the terminal
//    (the CLI's own start-up, DescribeTasks, ExecuteCommand, the plugin's WebSocket and handshake,
//    the agent's join through its long poll, docker exec, the first output message), and the part
//    of it after the plugin printed "Starting session" (the stream, the join, the exec);
// 2. throughput: `cat` of the 10 MiB file, bytes shown on the terminal (CR LF line ends, so a little
//    over 10 MiB) over the time from its first line to the session's end (acknowledged output).
// Every loop is bounded in count and time.
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
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { DockerSession } from '../testing/docker.ts';
import { EXEC_ROLE_STATEMENTS, executeCommand } from '../testing/ecs-exec.ts';
import { createTaskRole } from '../testing/role-probe.ts';
import { removeClusterContainers } from '../testing/tasks.ts';
import { BENCH_CREDENTIALS, startBerthProcess } from './berth-process.ts';
import { median } from './stats.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, 'throughput-rounds': { type: 'string', default: '3' } },
});
const ROUNDS = Number(values.rounds);
const THROUGHPUT_ROUNDS = Number(values['throughput-rounds']);
const RUN = randomBytes(4).toString('hex');
const CLUSTER = `bench-exec-${RUN}`;
const FILE_BYTES = 10 * 1024 * 1024;
// 64 characters and a newline per line: a text file, so the terminal shows every byte.
const MAKE_FILE = `yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c ${FILE_BYTES} > /big`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-exec-'));
  const docker = new DockerSession();
  const { child, url } = await startBerthProcess(dataDir);
  const server = { url, credentials: BENCH_CREDENTIALS };
  const client = { endpoint: url, region: 'us-east-1', credentials: BENCH_CREDENTIALS };
  const ecs = new ECSClient(client);
  try {
    const iam = new IAMClient(client);
    const roleArn = await createTaskRole(iam, `bench-exec-${RUN}`, EXEC_ROLE_STATEMENTS);
    iam.destroy();
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const image = await docker.buildBusyboxImage(`berth-bench-exec-${RUN}:1`);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: CLUSTER,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        taskRoleArn: roleArn,
        containerDefinitions: [
          {
            name: 'app',
            image: image.tag,
            essential: true,
            command: [
              'sh',
              '-c',
              `/bin/busybox --install -s /bin && ${MAKE_FILE} && echo file-is-ready > /ready && exec sleep 3600`,
            ],
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: CLUSTER,
        launchType: 'FARGATE',
        enableExecuteCommand: true,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-bench'] } },
      }),
    );
    const task = tasks![0]!.taskArn!;
    await waitForExecAgent(ecs, task);
    // The file is made at start: wait for it, bounded.
    for (let i = 0; i < 100; i++) {
      const ready = await executeCommand(server, { cluster: CLUSTER, task, command: 'cat /ready' });
      if (ready.output.includes('file-is-ready')) break;
      await sleep(200);
    }

    const firstByte: number[] = [];
    const afterPlugin: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      let plugin = 0;
      let shown = 0;
      const run = await executeCommand(
        server,
        { cluster: CLUSTER, task, command: `echo first-byte-${round}` },
        {
          steps: [
            // The plugin prints this as it starts, before it opens the stream.
            { waitFor: 'Starting session with SessionId', run: async () => void (plugin = performance.now()) },
            { waitFor: `first-byte-${round}`, run: async () => void (shown = performance.now()) },
          ],
        },
      );
      if (run.code !== 0 || shown === 0) throw new Error(`round ${round} failed:\n${run.output}`);
      firstByte.push(shown - started);
      afterPlugin.push(shown - plugin);
      console.log(
        JSON.stringify({
          bench: 'first-byte',
          round,
          ms: Math.round(shown - started),
          fromPluginStartMs: Math.round(shown - plugin),
        }),
      );
    }

    const rates: number[] = [];
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      let first = 0;
      const run = await executeCommand(
        server,
        { cluster: CLUSTER, task, command: 'cat /big' },
        {
          timeoutMs: 300_000,
          steps: [{ waitFor: '0123456789abcdef', run: async () => void (first = performance.now()) }],
        },
      );
      const ended = performance.now();
      const bytes = Buffer.byteLength(run.output.slice(run.output.indexOf('0123456789abcdef')));
      if (run.code !== 0 || bytes < FILE_BYTES) throw new Error(`cat round ${round}: ${bytes} bytes, code ${run.code}`);
      const mibPerSecond = bytes / 1024 / 1024 / ((ended - first) / 1000);
      rates.push(mibPerSecond);
      console.log(JSON.stringify({ bench: 'cat-10MiB', round, bytes, seconds: (ended - first) / 1000, mibPerSecond }));
    }
    console.log(
      JSON.stringify({
        machine: {
          cores: cpus().length,
          node: process.version,
          loadavg: loadavg().map((l) => Math.round(l * 10) / 10),
        },
        firstByteMedianMs: Math.round(median(firstByte)),
        fromPluginStartMedianMs: Math.round(median(afterPlugin)),
        catMedianMiBPerSecond: Math.round(median(rates) * 100) / 100,
      }),
    );
  } finally {
    ecs.destroy();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await removeClusterContainers(docker, CLUSTER);
    await docker.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitForExecAgent(ecs: ECSClient, task: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task] }));
    const current = tasks?.[0];
    if (current?.containers?.[0]?.managedAgents?.[0]?.lastStatus === 'RUNNING') return;
    if (current?.lastStatus === 'STOPPED') throw new Error(`the task stopped: ${current.stoppedReason}`);
    await sleep(200);
  }
  throw new Error('the ExecuteCommandAgent never ran');
}

await main();
