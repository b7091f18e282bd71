import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  ECSClient,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { staticCredentials } from '../../src/agent/index.ts';
import { signedJsonClient } from '../../src/cmd/signed-fetch.ts';
import { GROUP_CREDENTIALS as credentials, ServerGroup } from '../../testing/multi-server.ts';
import { postgresTestUrl } from '../../testing/postgres.ts';
import type { ServerProcess } from '../../testing/server-process.ts';

const target = postgresTestUrl();

/** Polls `read` until `done` holds, or fails after `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if ('skip' in target) {
  describe('several servers on one PostgreSQL', () => it.skip(target.skip));
} else {
  describe('several servers on one PostgreSQL (BERTH_MULTI_SERVER=on)', () => {
    const group = new ServerGroup(target.url);
    const { schemas, schema, servers } = group;
    const ecs = (server: ServerProcess) =>
      new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    let instanceArn = '';

    const tasksOf = async (server: ServerProcess, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING') => {
      const client = ecs(server);
      const { taskArns } = await client.send(new ListTasksCommand({ cluster: 'multi', desiredStatus }));
      client.destroy();
      return taskArns ?? [];
    };

    before(async () => {
      await group.start(2); // the second with the first's keys (secrets are sealed with its master key)
      const a = ecs(servers[0]!);
      await a.send(new CreateClusterCommand({ clusterName: 'multi' }));
      await a.send(
        new RegisterTaskDefinitionCommand({
          family: 'multi',
          requiresCompatibilities: ['EC2'],
          networkMode: 'awsvpc',
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name: 'app', image: 'busybox' }],
        }),
      );
      const { containerInstance } = await a.send(
        new RegisterContainerInstanceCommand({
          cluster: 'multi',
          totalResources: [
            { name: 'CPU', type: 'INTEGER', integerValue: 8192 },
            { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 },
          ],
          attributes: [
            { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
            { name: 'ecs.capability.task-eni' },
          ],
        }),
      );
      instanceArn = containerInstance!.containerInstanceArn!;
      a.destroy();
    });
    after(() => group.close());

    it('both servers answer the API over the same data', async () => {
      const b = ecs(servers[1]!);
      const { clusters } = await b.send(new DescribeClustersCommand({ clusters: ['multi'] }));
      assert.equal(clusters?.[0]?.registeredContainerInstancesCount, 1);
      b.destroy();
    });

    it("wakes an agent's long poll on server B when server A assigns it a task", async () => {
      const call = signedJsonClient({
        endpoint: new URL(servers[1]!.url),
        credentials: staticCredentials(credentials),
        region: 'us-east-1',
        service: 'ecs',
      });
      const poll = (token?: string, waitSeconds = 0) =>
        call<{ token: string; tasks: { arn?: string; taskArn?: string }[] }>('/berth/agent/poll', {
          cluster: 'multi',
          containerInstance: instanceArn,
          token,
          waitSeconds,
        });
      const { token } = await poll();
      const started = Date.now();
      const waiting = poll(token, 20);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the poll is waiting on server B
      const a = ecs(servers[0]!);
      const { tasks } = await a.send(
        new RunTaskCommand({
          cluster: 'multi',
          taskDefinition: 'multi',
          launchType: 'EC2',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        }),
      );
      a.destroy();
      const answer = await waiting;
      assert.ok(Date.now() - started < 5000, `the poll waited ${Date.now() - started} ms (of 20 s)`);
      assert.ok(JSON.stringify(answer.tasks).includes(tasks![0]!.taskArn!));
    });

    it("runs a service created through A, and after kill -9 of its cluster's lease holder the other carries out a scale change within seconds", async () => {
      const a = ecs(servers[0]!);
      const before = (await tasksOf(servers[0]!)).length; // the RunTask task above
      await a.send(
        new CreateServiceCommand({
          cluster: 'multi',
          serviceName: 'web',
          taskDefinition: 'multi',
          desiredCount: 2,
          launchType: 'EC2',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        }),
      );
      a.destroy();
      await eventually(
        () => tasksOf(servers[1]!),
        (arns) => arns.length === before + 2,
        10_000,
      );
      const [lease] = await schemas.query<{ holder: string; epoch: number }>(
        `select holder, epoch from "${schema}".leases where name = 'cluster:multi'`,
      );
      const pid = Number(lease!.holder.split(':').at(-2));
      const holder = servers.findIndex((s) => s?.child.pid === pid);
      assert.notEqual(holder, -1, `the lease holder ${lease!.holder} is one of the two servers`);
      const survivor = servers[1 - holder]!;
      servers[holder]!.child.kill('SIGKILL');
      await servers[holder]!.exited;
      const killed = Date.now();
      const client = ecs(survivor);
      await client.send(new UpdateServiceCommand({ cluster: 'multi', service: 'web', desiredCount: 3 }));
      client.destroy();
      await eventually(
        () => tasksOf(survivor),
        (arns) => arns.length === before + 3,
        15_000,
      );
      const failover = Date.now() - killed;
      // The lease lasts 5 s unrenewed; the survivor's scheduler pass follows within a second or two.
      assert.ok(failover < 10_000, `scale change carried out ${failover} ms after the kill`);
      const [taken] = await schemas.query<{ holder: string; epoch: string }>(
        `select holder, epoch from "${schema}".leases where name = 'cluster:multi'`,
      );
      assert.notEqual(taken!.holder, lease!.holder);
      assert.ok(Number(taken!.epoch) > Number(lease!.epoch));
    });
  });
}
