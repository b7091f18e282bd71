import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { busyboxSkipReason, dockerSkipReason, DockerSession } from '../../testing/docker.ts';
import { buildSdkImage } from '../../testing/sdk-image.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { isStopped, removeClusterContainers, waitForTask } from '../../testing/tasks.ts';

// A task's role, as its containers see it: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, and
// http://169.254.170.2 answering it, so that an AWS SDK's default credential chain, unconfigured,
// acts as the task role's session. The image runs the project's own Node with @aws-sdk/client-s3
// and @aws-sdk/client-sts from its node_modules; the server's API is reached through a relay on
// the task network's gateway (the test server listens on 127.0.0.1 only).

const skip = dockerSkipReason() || busyboxSkipReason();

/** What the probe prints: who the default chain made it, and what S3 said. */
const PROBE = `
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
const [bucket, key] = process.argv.slice(2);
const out = { uri: process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ?? null };
const s3 = new S3Client({ forcePathStyle: true });
try {
  out.arn = (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
  out.credentials = await s3.config.credentials();
} catch (error) {
  out.identityError = error.name + ': ' + error.message;
}
try {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  out.body = await answer.Body.transformToString();
} catch (error) {
  out.s3Error = error.name;
}
if (out.uri) {
  // Another task's credentials: an id this task was not given.
  const other = await fetch('http://169.254.170.2/v2/credentials/00000000-0000-0000-0000-000000000000');
  out.otherStatus = other.status;
  out.otherBody = await other.json();
}
console.log(JSON.stringify(out));
`;

interface ProbeOutput {
  uri: string | null;
  arn?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
  identityError?: string;
  body?: string;
  s3Error?: string;
  otherStatus?: number;
  otherBody?: unknown;
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('task roles: credentials at 169.254.170.2 for an AWS SDK inside the container', { skip }, () => {
  let server: TestServer;
  let ecs: ECSClient;
  let iam: IAMClient;
  let s3: S3Client;
  let relay: Server;
  let image: string;
  let endpoint: string;
  const docker = new DockerSession();
  const suffix = randomBytes(4).toString('hex');
  const cluster = `roles-${suffix}`;
  const bucket = `roles-${suffix}`;
  const roleArns: Record<string, string> = {};

  const roleNamed = async (name: string, statements: object[]): Promise<string> => {
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
    if (statements.length > 0)
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: 'inline',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
        }),
      );
    return Role!.Arn!;
  };

  /** Runs the probe as a FARGATE task (with the role, if any) and returns its output once it stopped. */
  const probe = async (taskRoleArn: string | undefined): Promise<{ task: Task; output: ProbeOutput }> => {
    const family = `probe-${suffix}`;
    const container: ContainerDefinition = {
      name: 'probe',
      image,
      essential: true,
      command: ['/usr/local/bin/node', '/app/probe.mjs', bucket, 'greeting.txt'],
      environment: [
        { name: 'AWS_ENDPOINT_URL', value: endpoint },
        // The default chain would try EC2's instance metadata last: no traffic leaves this machine.
        { name: 'AWS_EC2_METADATA_DISABLED', value: 'true' },
      ],
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
    const logs = await docker.docker(['logs', runtimeId]);
    const line = logs.stdout.trim().split('\n').at(-1) ?? '';
    assert.ok(line.startsWith('{'), `the probe printed no answer: ${logs.stdout} ${logs.stderr}`);
    return { task, output: JSON.parse(line) as ProbeOutput };
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
    roleArns.reader = await roleNamed(`reader-${suffix}`, [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    ]);
    roleArns.nothing = await roleNamed(`nothing-${suffix}`, []);
    // The task network's gateway: where containers reach this host.
    const inspected = await docker.docker([
      'network',
      'inspect',
      'berth-awsvpc',
      '--format',
      '{{(index .IPAM.Config 0).Gateway}}',
    ]);
    const gateway = inspected.stdout.trim();
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/, inspected.stderr);
    const target = new URL(server.url);
    relay = createServer((socket) => {
      const upstream = connect(Number(target.port), target.hostname);
      socket.pipe(upstream).pipe(socket);
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => relay.listen(0, gateway, resolve));
    endpoint = `http://${gateway}:${(relay.address() as { port: number }).port}`;
    image = await buildSdkImage(docker, `berth-sdk-probe-${suffix}:1`, {
      packages: ['@aws-sdk/client-s3', '@aws-sdk/client-sts'],
      scripts: { 'probe.mjs': PROBE },
    });
  });

  after(async () => {
    ecs?.destroy();
    iam?.destroy();
    s3?.destroy();
    relay?.close();
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
    const credentials = output.credentials!;
    const sts = new STSClient({
      endpoint: server.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
    });
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (error: Error) => {
      assert.match(error.name, /InvalidClientTokenId|UnrecognizedClientException/);
      return true;
    });
    sts.destroy();

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
