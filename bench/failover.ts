// Failover time among three servers on one PostgreSQL (bench/multi-server.ts): a REPLICA service in
// a cluster of its own, on simulated container instances in this process (the real agent on a
// simulated runtime; each knows all three servers, its first one in turn). Each round: find the
// server that holds the cluster's lease (`cluster:<name>`, the scheduler's shard), kill -9 it, and at
// once, through a survivor, raise the service's desired count by one; the failover time is from the
// kill to the new task's appearing in ListTasks through the survivor, i.e. placed by a survivor's
// scheduler pass once it has taken the lapsed lease. (The change is made right after the kill, not
// before: made before, the holder's own scheduler, woken by it, would place the task before dying.)
// The time until the lease row has a new holder is reported beside it. Then the killed server starts
// again on its port and folder, and the next round waits until the lease is held and the count met.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveAgentConfig } from '../src/agent/index.ts';
import { SimulatedRuntime } from '../src/agent/runtime/fake/simulated-runtime.ts';
import { startAgent, type RunningAgent } from '../src/cmd/agent-command.ts';
import type { ServerGroup } from '../testing/multi-server.ts';
import type { Credentials } from '../testing/signed-request.ts';

const CLUSTER = 'bench-failover';
const SERVICE = 'failover-app';
const LEASE = `cluster:${CLUSTER}`;
const POLL_MS = 25;

export interface FailoverRound {
  /** Kill to the new task's being listed through a survivor. */
  readonly taskMs: number;
  /** Kill to the lease row's new holder. */
  readonly leaseMs: number;
  /** The server killed (and started again at the round's end). */
  readonly killed: number;
}

export interface FailoverOptions {
  readonly group: ServerGroup;
  readonly servers: number;
  readonly kills: number;
  readonly credentials: Credentials;
  readonly dataDir: string;
  /** The longest one round may wait for anything. */
  readonly roundLimitMs: number;
  readonly log: (line: string) => void;
}

/** Polls `read` every POLL_MS until `done`; throws after `limitMs`. */
async function waitFor<T>(what: string, limitMs: number, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (performance.now() > deadline) throw new Error(`failover bench: ${what} not within ${limitMs} ms`);
    await sleep(POLL_MS);
  }
}

export async function measureFailover(options: FailoverOptions): Promise<FailoverRound[]> {
  const { group, servers, credentials } = options;
  const client = (index: number): ECSClient =>
    new ECSClient({ endpoint: group.server(index).url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const agents: RunningAgent[] = [];
  const urls = Array.from({ length: servers }, (_, i) => group.server(i).url);
  const first = client(0);
  try {
    await first.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const { taskDefinition } = await first.send(
      new RegisterTaskDefinitionCommand({
        family: 'bench-failover',
        networkMode: 'bridge',
        containerDefinitions: [{ name: 'app', image: 'bench/app:1', cpu: 64, memory: 64, essential: true }],
      }),
    );
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      ECS_LOGLEVEL: 'error',
    };
    for (let n = 0; n < servers; n++) {
      const endpoints = urls.map((_url, k) => urls[(n + k) % urls.length]!);
      const config = resolveAgentConfig(
        {
          endpoint: endpoints.join(','),
          cluster: CLUSTER,
          cpu: '4096',
          memory: '4096',
          'data-dir': join(options.dataDir, 'failover-agents', String(n)),
        },
        undefined,
        env,
      );
      agents.push(await startAgent(config, env, () => new SimulatedRuntime()));
    }
    await first.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: taskDefinition!.taskDefinitionArn!,
        desiredCount: 1,
        launchType: 'EC2',
      }),
    );
    const rounds: FailoverRound[] = [];
    for (let round = 1; round <= options.kills; round++) {
      rounds.push(await killOnce(options, client, round, rounds.at(-1)?.killed));
      options.log(
        `failover ${round}/${options.kills}: task placed ${rounds.at(-1)!.taskMs.toFixed(0)} ms, ` +
          `lease taken ${rounds.at(-1)!.leaseMs.toFixed(0)} ms after the kill`,
      );
    }
    return rounds;
  } finally {
    first.destroy();
    await Promise.all(agents.map((agent) => agent.stop()));
  }
}

/** A pass slower than this after the lease moved: the round logs the survivors' warnings. */
const SLOW_PASS_MS = 2000;

/** Warning and error log lines (pino levels 40 and up), and lines on leases or the scheduler, the running servers wrote since `from`. */
function warnings(group: ServerGroup, from: readonly number[]): string[] {
  return group.servers.flatMap((server, i) =>
    (server?.stdout().slice(from[i] ?? 0) ?? '')
      .split('\n')
      .filter((line) => /"level":(4|5|6)0/.test(line) || /lease|schedul/i.test(line))
      .map((line) => `server ${i}: ${line.slice(0, 400)}`),
  );
}

/** One round: the service has `desired` tasks before it, `desired + 1` after. */
async function killOnce(
  options: FailoverOptions,
  client: (index: number) => ECSClient,
  desired: number,
  restarted: number | undefined,
): Promise<FailoverRound> {
  const { group, roundLimitMs } = options;
  const count = async (ecs: ECSClient): Promise<number> =>
    (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'RUNNING' })))
      .taskArns?.length ?? 0;
  const observer = client(0);
  let survivorClient: ECSClient | undefined;
  try {
    await waitFor(
      `${desired} task(s) placed`,
      roundLimitMs,
      () => count(observer),
      (n) => n === desired,
    );
    const holder = await waitFor(
      'a live lease holder',
      roundLimitMs,
      () => group.holderOf(LEASE),
      (i) => i >= 0,
    );
    const { epoch } = (await group.lease(LEASE))!;
    const survivor = (holder + 1) % options.servers;
    survivorClient = client(survivor);
    const survivorEcs = survivorClient;
    const logged = group.servers.map((server) => server?.stdout().length ?? 0);
    const killed = performance.now();
    await group.kill(holder);
    await survivorEcs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: desired + 1 }));
    let leaseMs: number | undefined;
    await waitFor(
      'the new task',
      roundLimitMs,
      async () => {
        const [n, lease] = await Promise.all([count(survivorEcs), group.lease(LEASE)]);
        if (leaseMs === undefined && lease && lease.epoch > epoch) leaseMs = performance.now() - killed;
        return n;
      },
      (n) => n === desired + 1,
    );
    const taskMs = performance.now() - killed;
    if (taskMs - (leaseMs ?? taskMs) > SLOW_PASS_MS) {
      const taker = await group.holderOf(LEASE);
      options.log(
        `slow round: the update went through server ${survivor}, server ${taker} took the lease ` +
          `(server ${restarted ?? 'none'} was started again just before the round); ` +
          `the survivors' warnings, errors and lease lines since the kill:`,
      );
      for (const line of warnings(group, logged)) options.log(`    ${line}`);
    }
    await group.startServer(holder);
    return { taskMs, leaseMs: leaseMs ?? taskMs, killed: holder };
  } finally {
    observer.destroy();
    survivorClient?.destroy();
  }
}
