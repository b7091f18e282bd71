import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateClusterCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { spawnAgent, type AgentProcess } from '../../testing/server-process.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeContainersLabelled, waitForTask } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

/**
 * What a real `berth agent` does with a task's files on Docker: environmentFiles read from Berth's
 * S3 with the agent's own keys; and ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: after a task stops, its
 * containers and its task-scoped Docker volumes go once the wait is over; a shared volume stays.
 */
describe('`berth agent`: environment files and clean-up', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let agent: AgentProcess | undefined;
  const docker = new DockerSession();
  const cluster = `cleanup-${randomBytes(4).toString('hex')}`;
  const shared = `${cluster}-shared`;
  const work = mkdtempSync(join(tmpdir(), 'berth-cleanup-'));

  const byTask = async (kind: 'ps' | 'volume', taskArn: string): Promise<string[]> => {
    const args =
      kind === 'ps'
        ? ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`]
        : ['volume', 'ls', '-q', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`];
    return (await docker.docker(args)).stdout.split(/\s+/).filter(Boolean);
  };

  let image = '';
  before(async () => {
    server = await startTestServer();
    image = (await docker.buildBusyboxImage(`berth-agent-files-${randomBytes(4).toString('hex')}:1`)).tag;
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const configFile = join(work, 'ecs.config');
    writeFileSync(configFile, `ECS_CLUSTER=${cluster}\nECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=5s\n`);
    agent = await spawnAgent(
      {
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        BERTH_ENDPOINT: server.url,
      },
      ['--config-file', configFile, '--cpu', '1024', '--memory', '512', '--data-dir', join(work, 'agent')],
    );
    const deadline = Date.now() + 30_000;
    while (
      ((await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? []).length === 0
    ) {
      assert.ok(Date.now() < deadline, 'the agent never registered');
      await sleep(200);
    }
  });
  after(async () => {
    agent?.child.kill('SIGKILL');
    ecs?.destroy();
    await server?.stop();
    await removeContainersLabelled(docker, `com.amazonaws.ecs.cluster=${cluster}`);
    await docker.docker(['volume', 'rm', '-f', shared]).catch(() => {});
    await docker.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('reads environmentFiles from S3 with the agent’s keys; a missing one fails the task', async () => {
    const s3 = new S3Client({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      forcePathStyle: true,
    });
    const bucket = `${cluster}-config`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'web.env', Body: 'GREETING=from-file\nCOLOR=blue\n' }));
    s3.destroy();
    const run = async (key: string): Promise<string> => {
      const family = `${cluster}-env-${key.replace(/\W/g, '')}`;
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [
            {
              name: 'main',
              image,
              memory: 32,
              command: ['sh', '-c', 'test "$GREETING" = from-file && test "$COLOR" = red'],
              environment: [{ name: 'COLOR', value: 'red' }],
              environmentFiles: [{ type: 's3', value: `arn:aws:s3:::${bucket}/${key}` }],
            },
          ],
        }),
      );
      const { tasks = [], failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
      assert.deepEqual(failures, []);
      return tasks[0]!.taskArn!;
    };
    const ok = await waitForTask(ecs, cluster, await run('web.env'), isStopped);
    assert.equal(ok.containers?.[0]?.exitCode, 0, ok.stoppedReason);
    const missing = await waitForTask(ecs, cluster, await run('gone.env'), isStopped);
    assert.equal(missing.stopCode, 'TaskFailedToStart');
    assert.match(
      missing.stoppedReason ?? '',
      /^ResourceInitializationError: failed to download env files: .*NoSuchKey/,
    );
  });

  it('removes a stopped task’s containers and task volumes after the wait; a shared volume stays', async () => {
    const tag = image;
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-writer`,
        volumes: [
          { name: 'scratch', dockerVolumeConfiguration: { scope: 'task', labels: { purpose: 'test' } } },
          { name: shared, dockerVolumeConfiguration: { scope: 'shared', autoprovision: true } },
        ],
        containerDefinitions: [
          {
            name: 'main',
            image: tag,
            memory: 32,
            command: ['sh', '-c', 'echo data > /scratch/file && echo data > /kept/file && cat /scratch/file'],
            mountPoints: [
              { sourceVolume: 'scratch', containerPath: '/scratch' },
              { sourceVolume: shared, containerPath: '/kept' },
            ],
          },
        ],
      }),
    );
    const { tasks = [] } = await ecs.send(
      new RunTaskCommand({ cluster, taskDefinition: taskDefinition!.taskDefinitionArn }),
    );
    const taskArn = tasks[0]!.taskArn!;
    const stopped = await waitForTask(ecs, cluster, taskArn, isStopped);
    assert.equal(stopped.containers?.[0]?.exitCode, 0);
    // Right after the stop, the containers and the task volume are still there (for `docker logs` and the like).
    assert.equal((await byTask('ps', taskArn)).length, 1);
    assert.equal((await byTask('volume', taskArn)).length, 1);
    const deadline = Date.now() + 30_000;
    while ((await byTask('ps', taskArn)).length > 0 || (await byTask('volume', taskArn)).length > 0) {
      assert.ok(Date.now() < deadline, 'the task’s containers or volumes were never removed');
      await sleep(500);
    }
    // A shared volume is named after the task definition's volume, and outlives the task.
    const kept = await docker.docker(['volume', 'inspect', shared]);
    assert.match(kept.stdout, new RegExp(`"Name": "${shared}"`));
  });
});
