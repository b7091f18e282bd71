import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { GROUP_CREDENTIALS, ServerGroup } from '../../testing/multi-server.ts';
import { postgresTestUrl } from '../../testing/postgres.ts';
import { spawnAgent, type AgentProcess, type ServerProcess } from '../../testing/server-process.ts';
import { removeClusterContainers } from '../../testing/tasks.ts';

const target = postgresTestUrl();
const skip = ('skip' in target && target.skip) || dockerSkipReason() || busyboxSkipReason();

/** Polls `read` until `done` holds, or fails after `ms` with the last value. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read().catch((error: unknown) => error as T);
    if (!(value instanceof Error) && done(value)) return value;
    if (Date.now() > deadline)
      assert.fail(`not within ${ms} ms: ${String(value instanceof Error ? value : JSON.stringify(value))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('three servers on one PostgreSQL: failover', { skip }, () => {
  const group = new ServerGroup('url' in target ? target.url : '', {
    BERTH_AGENT_LOST_SECONDS: '30', // the least it takes: a dead server's FARGATE tasks move after it
    BERTH_MANAGED_CAPACITY: 'docker', // each server's engine is a managed capacity of its own
  });
  const docker = new DockerSession();
  const work = mkdtempSync(join(tmpdir(), 'berth-failover-'));
  const cluster = `failover-${randomBytes(4).toString('hex')}`;
  const family = `${cluster}-web`;
  let agent: AgentProcess;
  const ecs = (server: ServerProcess) =>
    new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: GROUP_CREDENTIALS, maxAttempts: 1 });
  /** Calls through server `index` with a client made for the call. */
  const through = async <T>(index: number, call: (client: ECSClient) => Promise<T>): Promise<T> => {
    const client = ecs(group.server(index));
    try {
      return await call(client);
    } finally {
      client.destroy();
    }
  };
  /** The cluster's tasks as server `index` describes them (desired RUNNING, whatever their last status). */
  const tasks = (index: number): Promise<Task[]> =>
    through(index, async (client) => {
      const { taskArns = [] } = await client.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }));
      if (taskArns.length === 0) return [];
      return (await client.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
    });
  const revisionOf = (task: Task): string => task.taskDefinitionArn!.split(':').at(-1)!;
  /** RUNNING tasks per task definition revision, e.g. { '1': 2 }. */
  const runningByRevision = (list: readonly Task[]): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const task of list.filter((t) => t.lastStatus === 'RUNNING'))
      counts[revisionOf(task)] = (counts[revisionOf(task)] ?? 0) + 1;
    return counts;
  };
  /** The cluster's running containers per task definition revision and their task ARNs (Docker's view). */
  const containers = async (): Promise<{ byRevision: Record<string, number>; taskArns: string[] }> => {
    const listed = await docker.docker([
      'ps',
      '--filter',
      `label=com.amazonaws.ecs.cluster=${cluster}`,
      '--format',
      '{{.Label "com.amazonaws.ecs.task-definition-version"}} {{.Label "com.amazonaws.ecs.task-arn"}}',
    ]);
    const byRevision: Record<string, number> = {};
    const taskArns: string[] = [];
    for (const line of listed.stdout.split('\n').filter(Boolean)) {
      const [revision, arn] = line.split(' ');
      byRevision[revision!] = (byRevision[revision!] ?? 0) + 1;
      taskArns.push(arn!);
    }
    return { byRevision, taskArns };
  };

  before(async () => {
    await group.start(3);
    const image = (await docker.buildBusyboxImage(`berth-failover-${randomBytes(4).toString('hex')}:1`)).tag;
    await through(0, async (client) => {
      await client.send(new CreateClusterCommand({ clusterName: cluster }));
      for (const revision of [1, 2]) {
        await client.send(
          new RegisterTaskDefinitionCommand({
            family,
            networkMode: 'bridge',
            containerDefinitions: [
              {
                name: 'web',
                image,
                memory: 32,
                command: ['sleep', '600'],
                stopTimeout: 2,
                environment: [{ name: 'REVISION', value: String(revision) }],
              },
            ],
          }),
        );
      }
    });
    // The agent knows two of the three servers: 0 first, then 1.
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: GROUP_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: GROUP_CREDENTIALS.secretAccessKey,
        BERTH_ENDPOINT: `${group.server(0).url},${group.server(1).url}`,
      },
      ['--cluster', cluster, '--cpu', '2048', '--memory', '1024', '--data-dir', join(work, 'agent')],
    );
  });
  after(async () => {
    agent?.child.kill('SIGTERM');
    await agent?.exited;
    await group.close();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('/readyz lists each server’s leases and its store; /metrics has the lease gauges', async () => {
    const readiness = await eventually(
      async () => {
        const answers = [];
        for (const index of [0, 1, 2]) {
          const response = await fetch(new URL('/readyz', group.server(index).url));
          answers.push({ status: response.status, body: (await response.json()) as Record<string, unknown> });
        }
        return answers;
      },
      // Every loop lease is held by some server once all three have started (CloudWatch's alarm
      // evaluator and Auto Scaling's scheduled actions too: one server runs each).
      (answers) => {
        const held = answers.flatMap((a) => (a.body.leases as { held: { name: string }[] }).held.map((l) => l.name));
        return (
          held.length >= 4 && ['loop:alarm evaluation', 'loop:scheduled scaling actions'].every((n) => held.includes(n))
        );
      },
      15_000,
    );
    const holders = (name: string) =>
      readiness.filter((a) => (a.body.leases as { held: { name: string }[] }).held.some((l) => l.name === name));
    assert.equal(holders('loop:alarm evaluation').length, 1);
    assert.equal(holders('loop:scheduled scaling actions').length, 1);
    for (const { status, body } of readiness) {
      assert.equal(status, 200);
      assert.equal(body.status, 'ready');
      assert.equal(body.store, 'reachable');
      const leases = body.leases as { holder: string; present: boolean; held: { name: string; epoch: number }[] };
      assert.equal(leases.present, true);
      for (const held of leases.held) assert.ok(held.epoch >= 1);
    }
    const metrics = await (await fetch(new URL('/metrics', group.server(2).url))).text();
    assert.match(metrics, /^berth_lease_held\{lease="loop:registry maintenance"\} [01]$/m);
    assert.match(metrics, /^berth_lease_epoch\{lease="loop:log retention"\} \d+$/m);
    assert.match(metrics, /^berth_servers_live 3$/m);
  });

  it('an agent configured with two servers keeps its tasks when the one it uses dies, and new work reaches it', async () => {
    const { tasks: started = [] } = await through(2, (client) =>
      client.send(new RunTaskCommand({ cluster, taskDefinition: `${family}:1`, launchType: 'EC2' })),
    );
    const arn = started[0]!.taskArn!;
    await eventually(
      () => tasks(2),
      (list) => list.some((t) => t.taskArn === arn && t.lastStatus === 'RUNNING'),
      60_000,
    );
    const before = await containers();
    assert.ok(before.taskArns.includes(arn));
    await group.kill(0); // the agent's current server
    const killed = Date.now();
    // Work started through the survivors reaches the agent through server 1.
    const { tasks: next = [] } = await through(2, (client) =>
      client.send(new RunTaskCommand({ cluster, taskDefinition: `${family}:1`, launchType: 'EC2' })),
    );
    const nextArn = next[0]!.taskArn!;
    const list = await eventually(
      () => tasks(1),
      (all) => all.some((t) => t.taskArn === nextArn && t.lastStatus === 'RUNNING'),
      60_000,
    );
    assert.equal(list.find((t) => t.taskArn === arn)?.lastStatus, 'RUNNING', 'the first task stayed RUNNING');
    const after = await containers();
    assert.ok(after.taskArns.includes(arn), "the first task's container kept running");
    assert.ok(after.taskArns.includes(nextArn));
    assert.match(agent.output(), /failing over/);
    process.stdout.write(`# new work ran through server 1 ${Date.now() - killed} ms after server 0 died\n`);
    // Server 0 comes back on its port (the agent may fail back to it later); the group has three again.
    await group.startServer(0);
    // The two tasks stop: the next test counts only the service's.
    await through(2, async (client) => {
      for (const task of [arn, nextArn]) await client.send(new StopTaskCommand({ cluster, task }));
    });
    await eventually(containers, (c) => c.taskArns.length === 0, 60_000);
  });

  it("completes a rolling deployment through another server after kill -9 of its cluster's lease holder, no task duplicated or lost", async () => {
    await through(1, (client) =>
      client.send(
        new CreateServiceCommand({
          cluster,
          serviceName: 'web',
          taskDefinition: `${family}:1`,
          desiredCount: 2,
          launchType: 'EC2',
          deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
        }),
      ),
    );
    await eventually(
      () => tasks(1),
      (list) => runningByRevision(list)['1'] === 2,
      60_000,
    );
    const holder = await eventually(
      () => group.holderOf(`cluster:${cluster}`),
      (index) => index !== -1,
      10_000,
    );
    const lease = (await group.lease(`cluster:${cluster}`))!;
    // Two writes the holder acknowledges: the rollout itself, then a tag on the cluster.
    const clusterArn = await through(holder, async (client) => {
      await client.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: `${family}:2` }));
      const { clusters = [] } = await client.send(new DescribeClustersCommand({ clusters: [cluster] }));
      await client.send(
        new TagResourceCommand({ resourceArn: clusters[0]!.clusterArn!, tags: [{ key: 'acked', value: 'yes' }] }),
      );
      return clusters[0]!.clusterArn!;
    });
    // Mid-rollout: the new revision's first task exists (the holder started it).
    const survivor = [0, 1, 2].find((i) => i !== holder)!;
    const midway = await eventually(
      () => tasks(survivor),
      (list) => list.some((t) => revisionOf(t) === '2'),
      30_000,
    );
    // The old revision still runs: a new task must run 3 s before it replaces one (MIN_RUNNING_MS).
    assert.equal(runningByRevision(midway)['1'], 2, 'killed while the rollout was under way');
    await group.kill(holder);
    const killed = Date.now();
    const done = await eventually(
      () =>
        through(survivor, async (client) => {
          const { services = [] } = await client.send(new DescribeServicesCommand({ cluster, services: ['web'] }));
          return { service: services[0]!, running: runningByRevision(await tasks(survivor)) };
        }),
      ({ service, running }) =>
        service.deployments?.length === 1 &&
        service.deployments[0]?.rolloutState === 'COMPLETED' &&
        running['2'] === 2 &&
        running['1'] === undefined,
      60_000,
    );
    const failover = Date.now() - killed;
    process.stdout.write(`# rollout completed ${failover} ms after kill -9 of its cluster's lease holder\n`);
    assert.ok(failover < 45_000, `rollout completed ${failover} ms after the kill`);
    assert.equal(done.service.runningCount, 2);
    // Docker agrees: two containers of revision 2, none of revision 1, each a task the API lists.
    const seen = await eventually(containers, (c) => c.taskArns.length === 2, 30_000);
    assert.deepEqual(seen.byRevision, { '2': 2 });
    const listed = new Set((await tasks(survivor)).map((t) => t.taskArn));
    for (const arn of seen.taskArns) assert.ok(listed.has(arn), `container of ${arn} belongs to a listed task`);
    // A write acknowledged before the kill is there after it.
    const tags = await through(survivor, async (client) => {
      return (await client.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags ?? [];
    });
    assert.deepEqual(tags, [{ key: 'acked', value: 'yes' }]);
    const taken = (await group.lease(`cluster:${cluster}`))!;
    assert.notEqual(taken.holder, lease.holder);
    assert.ok(taken.epoch > lease.epoch);
  });

  it("spreads a FARGATE service over the servers' managed capacities, and replaces a dead server's task on the others", async () => {
    for (const index of [0, 1, 2]) if (!group.servers[index]) await group.startServer(index); // back to three
    const image = (await docker.buildBusyboxImage(`berth-failover-fg-${randomBytes(4).toString('hex')}:1`)).tag;
    const clusterArn = await through(0, async (client) => {
      await client.send(
        new RegisterTaskDefinitionCommand({
          family: `${family}-fg`,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name: 'web', image, command: ['sleep', '600'], stopTimeout: 2 }],
        }),
      );
      await client.send(
        new CreateServiceCommand({
          cluster,
          serviceName: 'fg',
          taskDefinition: `${family}-fg`,
          desiredCount: 3,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        }),
      );
      const { clusters = [] } = await client.send(new DescribeClustersCommand({ clusters: [cluster] }));
      return clusters[0]!.clusterArn!;
    });
    /** The service's tasks with running containers, per managed capacity (the owner label of each server's engine). */
    const byCapacity = async (): Promise<Record<string, string[]>> => {
      const listed = await docker.docker([
        'ps',
        '--filter',
        `label=com.amazonaws.ecs.cluster=${clusterArn}`,
        '--format',
        '{{.Label "com.berth.owner"}} {{.Label "com.amazonaws.ecs.task-arn"}}',
      ]);
      const owners: Record<string, string[]> = {};
      for (const line of listed.stdout.split('\n').filter(Boolean)) {
        const [owner, arn] = line.split(' ');
        const arns = (owners[owner!] ??= []);
        if (!arns.includes(arn!)) arns.push(arn!); // an awsvpc task has its pause container too
      }
      return owners;
    };
    const serviceTasks = (index: number, desiredStatus: 'RUNNING' | 'STOPPED') =>
      through(index, async (client) => {
        const { taskArns = [] } = await client.send(
          new ListTasksCommand({ cluster, serviceName: 'fg', desiredStatus }),
        );
        if (taskArns.length === 0) return [];
        return (await client.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
      });
    await eventually(
      () => serviceTasks(0, 'RUNNING'),
      (list) => list.filter((t) => t.lastStatus === 'RUNNING').length === 3,
      90_000,
    );
    // Spread: one task on each server's engine.
    const spread = await byCapacity();
    assert.deepEqual(
      Object.values(spread).map((arns) => arns.length),
      [1, 1, 1],
      JSON.stringify(spread),
    );
    // kill -9 of one server: its container keeps running (nothing stops it), its capacity falls silent.
    const dead = 2;
    const deadOwner = Object.keys(spread).find((owner) => group.server(dead).stdout().includes(owner));
    assert.ok(deadOwner, 'the server logged its managed capacity');
    await group.kill(dead);
    const killed = Date.now();
    const stopped = await eventually(
      () => serviceTasks(0, 'STOPPED'),
      (list) => list.length === 1,
      90_000,
    );
    assert.equal(
      stopped[0]!.stoppedReason,
      'Task stopped because the Berth server running it (its managed capacity) stopped responding',
    );
    await eventually(
      () => serviceTasks(1, 'RUNNING'),
      (list) => list.filter((t) => t.lastStatus === 'RUNNING').length === 3,
      60_000,
    );
    process.stdout.write(
      `# a dead server's FARGATE task ran again on another ${Date.now() - killed} ms after the kill\n`,
    );
    const moved = await byCapacity();
    const live = Object.entries(moved).filter(([owner]) => owner !== deadOwner);
    assert.equal(live.flatMap(([, arns]) => arns).length, 3, JSON.stringify(moved));
    // The server comes back: its capacity stops the container of the task replaced meanwhile.
    await group.startServer(dead);
    await eventually(byCapacity, (owners) => Object.values(owners).flat().length === 3, 60_000);
  });
});
