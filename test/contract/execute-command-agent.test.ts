import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { awsCliSkipReason } from '../../testing/aws-cli.ts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { EXEC_ROLE_STATEMENTS, executeCommand, IDLE_WITH_APPLETS } from '../../testing/ecs-exec.ts';
import { createTaskRole } from '../../testing/role-probe.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// ECS Exec on the EC2 launch type: a bridge-mode task on a `berth agent` process, which learns of
// the session from its poll and joins the server's relay over a signed WebSocket.

const skip = dockerSkipReason() || busyboxSkipReason() || awsCliSkipReason();

describe('ECS Exec: aws ecs execute-command in a bridge-mode task on `berth agent`', { skip, timeout: 300_000 }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let agent: AgentProcess | undefined;
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `exec-agent-${suffix}`;
  const work = mkdtempSync(join(tmpdir(), 'berth-exec-agent-'));
  let taskArn = '';
  let runtimeId = '';

  before(async () => {
    server = await startTestServer();
    const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(client);
    const iam = new IAMClient(client);
    const roleArn = await createTaskRole(iam, `exec-agent-${suffix}`, EXEC_ROLE_STATEMENTS);
    iam.destroy();
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const image = await docker.buildBusyboxImage(`berth-exec-agent-${suffix}:1`);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `exec-agent-${suffix}`,
        requiresCompatibilities: ['EC2'],
        networkMode: 'bridge',
        taskRoleArn: roleArn,
        containerDefinitions: [
          { name: 'app', image: image.tag, essential: true, memory: 128, command: IDLE_WITH_APPLETS },
        ],
      }),
    );
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
        ECS_CONTAINER_STOP_TIMEOUT: '1s',
      },
      ['--cluster', cluster, '--cpu', '2048', '--memory', '2048', '--data-dir', join(work, 'agent')],
    );
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: `exec-agent-${suffix}`,
        launchType: 'EC2',
        enableExecuteCommand: true,
      }),
    );
    assert.deepEqual(failures, []);
    taskArn = tasks![0]!.taskArn!;
    const running = await waitForTask(
      ecs,
      cluster,
      taskArn,
      (t) => t.containers?.[0]?.managedAgents?.[0]?.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED',
      90_000,
    );
    assert.equal(running.lastStatus, 'RUNNING', running.stoppedReason);
    runtimeId = running.containers![0]!.runtimeId!;
  });

  after(async () => {
    if (agent && agent.child.exitCode === null && agent.child.signalCode === null) {
      agent.child.kill('SIGTERM');
      const stopped = await Promise.race([agent.exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      if (stopped === undefined) agent.child.kill('SIGKILL');
    }
    ecs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('registers the instance with ecs.capability.execute-command', async () => {
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: [agent!.containerInstanceArn] }),
    );
    const names = (containerInstances![0]!.attributes ?? []).map((a) => a.name);
    assert.ok(names.includes('ecs.capability.execute-command'), names.join(' '));
  });

  it('runs echo and cat /etc/hostname in the bridge-mode container', async () => {
    const hostname = (await docker.docker(['exec', runtimeId, 'cat', '/etc/hostname'])).stdout.trim();
    assert.ok(hostname);
    const cat = await executeCommand(server, {
      cluster,
      task: taskArn,
      container: 'app',
      command: 'cat /etc/hostname',
    });
    assert.equal(cat.code, 0, `${cat.output}\n--- agent ---\n${agent!.output()}`);
    assert.ok(cat.output.includes(hostname), cat.output);
    const echo = await executeCommand(server, { cluster, task: taskArn, command: 'echo hello-from-agent' });
    assert.equal(echo.code, 0, echo.output);
    assert.match(echo.output, /hello-from-agent/);
  });

  it('runs an interactive sh that reads input and exits', async () => {
    const run = await executeCommand(
      server,
      { cluster, task: taskArn, command: 'sh' },
      {
        steps: [
          { waitFor: '/ # ', write: 'echo $((6 * 7))-answer\r' },
          { waitFor: '42-answer', write: 'exit\r' },
        ],
      },
    );
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /42-answer/);
  });

  it('shows the ExecuteCommandAgent STOPPED once the task stops', async () => {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
    const stopped = await waitForTask(ecs, cluster, taskArn, isStopped, 60_000);
    assert.equal(stopped.containers![0]!.managedAgents![0]!.lastStatus, 'STOPPED');
  });
});
