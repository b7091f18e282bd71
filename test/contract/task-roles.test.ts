import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import {
  assertRevoked,
  buildRoleProbeImage,
  createTaskRole,
  networkGateway,
  probeCommand,
  probeEnvironment,
  probeOutputOf,
  startRelay,
  type ProbeOutput,
  type Relay,
} from '../../testing/role-probe.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// A task's role, as its containers see it: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, and
// http://169.254.170.2 answering it, so that an AWS SDK's default credential chain, unconfigured,
// acts as the task role's session. The image runs the project's own Node with @aws-sdk/client-s3
// and @aws-sdk/client-sts from its node_modules; the server's API is reached through a relay on
// the task network's gateway (the test server listens on 127.0.0.1 only).

const skip = dockerSkipReason() || busyboxSkipReason();

describe('task roles: credentials at 169.254.170.2 for an AWS SDK inside the container', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let iam: IAMClient;
  let s3: S3Client;
  let relay: Relay;
  let image: string;
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `roles-${suffix}`;
  const bucket = `roles-${suffix}`;
  const roleArns: Record<string, string> = {};

  /** Runs the probe as a FARGATE task (with the role, if any) and returns its output once it stopped. */
  const probe = async (taskRoleArn: string | undefined): Promise<{ task: Task; output: ProbeOutput }> => {
    const family = `probe-${suffix}`;
    const container: ContainerDefinition = {
      name: 'probe',
      image,
      essential: true,
      command: probeCommand(bucket, 'greeting.txt'),
      environment: probeEnvironment(relay.url),
    };
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [container],
      }),
    );
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({
        cluster,
        taskDefinition: family,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123'] } },
        ...(taskRoleArn ? { overrides: { taskRoleArn } } : {}),
      }),
    );
    assert.deepEqual(failures, []);
    const task = await waitForTask(ecs, cluster, tasks![0]!.taskArn!, isStopped, 90_000);
    const runtimeId = task.containers?.[0]?.runtimeId;
    assert.ok(runtimeId, `no container ran: ${task.stoppedReason}`);
    return { task, output: await probeOutputOf(docker, runtimeId) };
  };

  before(async () => {
    server = await startTestServer();
    const client = { endpoint: server.url, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
    ecs = new ECSClient(client);
    iam = new IAMClient(client);
    s3 = new S3Client({ ...client, forcePathStyle: true });
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'greeting.txt', Body: 'hello from S3' }));
    roleArns.reader = await createTaskRole(iam, `reader-${suffix}`, [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    ]);
    roleArns.nothing = await createTaskRole(iam, `nothing-${suffix}`, []);
    // The task network's gateway: where containers reach this host.
    relay = await startRelay(await networkGateway(docker, 'berth-awsvpc'), server.url);
    image = await buildRoleProbeImage(docker, `berth-sdk-probe-${suffix}:1`);
  });

  after(async () => {
    ecs?.destroy();
    iam?.destroy();
    s3?.destroy();
    await relay?.close();
    await server?.stop();
    await removeClusterContainers(docker, cluster);
    await docker.cleanup();
  });

  it('gives the SDK the task role: allowed with the role that may, AccessDenied with one that may not', async () => {
    const { task, output } = await probe(roleArns.reader);
    const taskId = task.taskArn!.split('/').at(-1)!;
    assert.match(output.uri ?? '', /^\/v2\/credentials\/[0-9a-f-]{36}$/);
    assert.equal(output.arn, `arn:aws:sts::000000000000:assumed-role/reader-${suffix}/${taskId}`);
    assert.equal(output.body, 'hello from S3');
    assert.equal(output.otherStatus, 400);
    assert.deepEqual(output.otherBody, {
      code: 'InvalidIdInRequest',
      message: 'CredentialsV2Request: Credentials not found',
    });
    // The task stopped: its session is revoked.
    await assertRevoked(server.url, output.credentials!);

    const denied = await probe(roleArns.nothing);
    assert.equal(
      denied.output.arn?.endsWith(`assumed-role/nothing-${suffix}/${denied.task.taskArn!.split('/').at(-1)}`),
      true,
    );
    assert.equal(denied.output.s3Error, 'AccessDenied');
  });

  it('gives a task without a role no variable, and the SDK no credentials', async () => {
    const { output } = await probe(undefined);
    assert.equal(output.uri, null);
    assert.match(output.identityError ?? '', /Could not load credentials|CredentialsProviderError/);
  });
});
