import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, waitForTask, removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('a service whose agent stops answering', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  const agents: AgentProcess[] = [];
  const docker = new DockerSession();
  const work = mkdtempSync(join(tmpdir(), 'berth-lost-'));
  const cluster = `lost-${randomBytes(4).toString('hex')}`;

  const running = async (): Promise<Task[]> => {
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }));
    if (taskArns.length === 0) return [];
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
    return tasks.filter((t) => t.lastStatus === 'RUNNING');
  };

  before(async () => {
    server = await startTestServer({ BERTH_MANAGED_CAPACITY: 'off', BERTH_AGENT_LOST_SECONDS: '30' });
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    const image = (await docker.buildBusyboxImage(`berth-lost-${randomBytes(4).toString('hex')}:1`)).tag;
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const name of ['a', 'b']) {
      agents.push(
        await spawnAgent(
          {
            AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
            BERTH_ENDPOINT: server.url,
          },
          ['--cluster', cluster, '--cpu', '512', '--memory', '512', '--data-dir', join(work, name)],
        ),
      );
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-web`,
        networkMode: 'bridge',
        containerDefinitions: [{ name: 'web', image, memory: 32, command: ['sleep', '600'], stopTimeout: 2 }],
      }),
    );
  });
  after(async () => {
    for (const agent of agents) {
      agent.child.kill('SIGCONT');
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('replaces its task on another instance, and the agent stops the old one when it comes back', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: `${cluster}-web`,
        desiredCount: 1,
        launchType: 'EC2',
      }),
    );
    let deadline = Date.now() + 60_000;
    let [first] = await running();
    while (!first) {
      assert.ok(Date.now() < deadline, 'the service never ran its task');
      await sleep(250);
      [first] = await running();
    }
    const frozen = agents.find((a) => a.containerInstanceArn === first!.containerInstanceArn)!;
    frozen.child.kill('SIGSTOP');
    // After BERTH_AGENT_LOST_SECONDS without a heartbeat, the task is replaced on the other instance.
    deadline = Date.now() + 90_000;
    let replacement: Task | undefined;
    while (!replacement) {
      assert.ok(Date.now() < deadline, 'the task of the silent agent was never replaced');
      await sleep(1_000);
      replacement = (await running()).find((t) => t.containerInstanceArn !== first!.containerInstanceArn);
    }
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [first.taskArn!] }));
    assert.equal(tasks[0]?.desiredStatus, 'STOPPED');
    assert.equal(
      tasks[0]?.stoppedReason,
      'Task stopped because the ECS agent of its container instance stopped responding',
    );
    // The agent answers again: it learns the old task must stop, and stops it.
    frozen.child.kill('SIGCONT');
    const stopped = await waitForTask(ecs, cluster, first.taskArn!, isStopped);
    assert.equal(stopped.lastStatus, 'STOPPED');
    assert.equal((await running()).length, 1);
  });
});
