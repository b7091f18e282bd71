import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { createExecutionRole } from '../../testing/execution-role.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, waitForTask, removeClusterContainers } from '../../testing/tasks.ts';

const skip = dockerSkipReason() || busyboxSkipReason();

describe('environmentFiles from Berth’s S3, on FARGATE tasks (real Docker)', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let s3: S3Client;
  let logs: CloudWatchLogsClient;
  const docker = new DockerSession();
  const cluster = `envfiles-${randomBytes(4).toString('hex')}`;
  const bucket = `config-${randomBytes(4).toString('hex')}`;
  let image: string;
  /** FARGATE needs it for awslogs; ECS reads the environment files with it, as the role's policy allows. */
  let executionRoleArn: string;

  const runOnce = async (family: string, container: Partial<ContainerDefinition>): Promise<string> => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        executionRoleArn,
        containerDefinitions: [
          {
            name: 'app',
            image,
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': `/ecs/${cluster}`,
                'awslogs-region': 'us-east-1',
                'awslogs-stream-prefix': 'ecs',
                'awslogs-create-group': 'true',
              },
            },
            ...container,
          },
        ],
      }),
    );
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: family,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
      }),
    );
    assert.deepEqual(failures, []);
    return tasks![0]!.taskArn!;
  };

  before(async () => {
    server = await startTestServer();
    const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(client);
    s3 = new S3Client({ ...client, forcePathStyle: true });
    logs = new CloudWatchLogsClient(client);
    image = (await docker.buildBusyboxImage(`berth-envfiles-${randomBytes(4).toString('hex')}:1`)).tag;
    executionRoleArn = await createExecutionRole(server, {
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // As on AWS: the execution role's managed policy may not create the group.
    await logs.send(new CreateLogGroupCommand({ logGroupName: `/ecs/${cluster}` }));
  });

  after(async () => {
    ecs?.destroy();
    s3?.destroy();
    logs?.destroy();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('passes the files’ variables to the container; `environment` wins, then the first file', async () => {
    const first = '# shared settings\nGREETING=hello\nMODE=from-file\n\nCOLOR=first\n';
    const second = 'COLOR=second\nURL=http://x/?a=b\n';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'app/first.env', Body: first }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'app/second.env', Body: second }));
    const arn = await runOnce(`${cluster}-ok`, {
      command: ['sh', '-c', 'echo "GREETING=$GREETING MODE=$MODE COLOR=$COLOR URL=$URL"; test "$MODE" = override'],
      environment: [{ name: 'MODE', value: 'override' }],
      environmentFiles: [
        { type: 's3', value: `arn:aws:s3:::${bucket}/app/first.env` },
        { type: 's3', value: `arn:aws:s3:::${bucket}/app/second.env` },
      ],
    });
    const task = await waitForTask(ecs, cluster, arn, isStopped);
    assert.equal(task.stopCode, 'EssentialContainerExited', task.stoppedReason);
    assert.equal(task.containers?.[0]?.exitCode, 0);
    const events = await logs.send(
      new GetLogEventsCommand({
        logGroupName: `/ecs/${cluster}`,
        logStreamName: `ecs/app/${arn.split('/').at(-1)}`,
        startFromHead: true,
      }),
    );
    assert.deepEqual(
      events.events?.map((e) => e.message),
      ['GREETING=hello MODE=override COLOR=first URL=http://x/?a=b'],
    );
  });

  it('stops the task with ResourceInitializationError when an env file is missing', async () => {
    const arn = await runOnce(`${cluster}-missing`, {
      command: ['true'],
      environmentFiles: [{ type: 's3', value: `arn:aws:s3:::${bucket}/app/missing.env` }],
    });
    const task = await waitForTask(ecs, cluster, arn, isStopped);
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.equal(
      task.stoppedReason,
      `ResourceInitializationError: failed to download env files: unable to download env file with key app/missing.env from bucket ${bucket}, error: NoSuchKey: The specified key does not exist. status code: 404`,
    );
    assert.equal(task.containers?.[0]?.runtimeId, undefined);
  });
});
