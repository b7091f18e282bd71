import { hostNetworkOf } from '../src/agent/runtime/docker/docker-runtime.ts';
import type { NetworkInspect } from '../src/agent/runtime/docker/engine-types.ts';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DockerSession } from './docker.ts';
import { ECS_TASKS_TRUST_POLICY } from './execution-role.ts';
import { buildSdkImage } from './sdk-image.ts';

// A task's role as its containers see it: a probe that runs an AWS SDK's default credential
// chain, unconfigured, inside a task's container and prints who that made it. The image runs the
// project's own Node with @aws-sdk/client-s3 and @aws-sdk/client-sts (testing/sdk-image.ts).
// Containers outside the host's network namespace reach a test server (on 127.0.0.1 only)
// through a relay on their Docker network's gateway.

/** What the probe prints, on its last line: who the default chain made it, and what S3 said. */
export const ROLE_PROBE_SCRIPT = `
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

export interface ProbeOutput {
  uri: string | null;
  arn?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
  identityError?: string;
  body?: string;
  s3Error?: string;
  otherStatus?: number;
  otherBody?: unknown;
}

/** Builds the probe's image as `tag` (tracked by the session for cleanup). */
export function buildRoleProbeImage(docker: DockerSession, tag: string): Promise<string> {
  return buildSdkImage(docker, tag, {
    packages: ['@aws-sdk/client-s3', '@aws-sdk/client-sts'],
    scripts: { 'probe.mjs': ROLE_PROBE_SCRIPT },
  });
}

/** The probe's command line in its image: it reads s3://bucket/key. */
export function probeCommand(bucket: string, key: string): string[] {
  return ['/usr/local/bin/node', '/app/probe.mjs', bucket, key];
}

/** The probe container's variables besides the role's: where the API is, and no EC2 metadata. */
export function probeEnvironment(endpoint: string): { name: string; value: string }[] {
  return [
    { name: 'AWS_ENDPOINT_URL', value: endpoint },
    // The default chain would try EC2's instance metadata last: no traffic leaves this machine.
    { name: 'AWS_EC2_METADATA_DISABLED', value: 'true' },
  ];
}

/** The probe's answer: the last line it printed, parsed. */
export function parseProbeOutput(stdout: string, stderr = ''): ProbeOutput {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  assert.ok(line.startsWith('{'), `the probe printed no answer: ${stdout} ${stderr}`);
  return JSON.parse(line) as ProbeOutput;
}

/** The answer of a probe that ran as a container's command (read from `docker logs`). */
export async function probeOutputOf(docker: DockerSession, runtimeId: string): Promise<ProbeOutput> {
  const logs = await docker.docker(['logs', runtimeId]);
  return parseProbeOutput(logs.stdout, logs.stderr);
}

/** A role that ECS tasks may assume, with `statements` as its inline policy; resolves with its ARN. */
export async function createTaskRole(iam: IAMClient, name: string, statements: readonly object[]): Promise<string> {
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ECS_TASKS_TRUST_POLICY }),
  );
  if (statements.length > 0)
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: 'inline',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  return Role!.Arn!;
}

/** Asserts that the server no longer accepts a session (its task stopped: the session is revoked). */
export async function assertRevoked(
  endpoint: string,
  credentials: NonNullable<ProbeOutput['credentials']>,
): Promise<void> {
  const sts = new STSClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
  });
  try {
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (error: Error) => {
      assert.match(error.name, /InvalidClientTokenId|UnrecognizedClientException/);
      return true;
    });
  } finally {
    sts.destroy();
  }
}

/**
 * The gateway of a Docker network (`bridge`, `berth-awsvpc`): where its containers reach this host.
 * Docker does not always record the default bridge's gateway in its IPAM configuration (a fresh
 * dockerd may list the subnet alone); the bridge then has the subnet's first address, as the agent
 * assumes too (docker-runtime.ts).
 */
export async function networkGateway(docker: DockerSession, network: string): Promise<string> {
  const inspected = await docker.docker(['network', 'inspect', network, '--format', '{{json .IPAM.Config}}']);
  const gateway = gatewayOfIpam(inspected.stdout);
  assert.match(
    gateway ?? '',
    /^\d+\.\d+\.\d+\.\d+$/,
    `no gateway for ${network}: ${inspected.stdout}${inspected.stderr}`,
  );
  return gateway!;
}

/**
 * The IPv4 gateway of `docker network inspect --format '{{json .IPAM.Config}}'`'s output, as the
 * agent reads it (docker-runtime.ts hostNetworkOf: the subnet's first address when Docker lists none).
 */
export function gatewayOfIpam(json: string): string | undefined {
  const Config = JSON.parse(json.trim() || 'null') as NetworkInspect['IPAM']['Config'];
  return hostNetworkOf({ IPAM: { Config } } as NetworkInspect)?.gateway;
}

export interface Relay {
  /** http://ADDRESS:PORT: the target, as containers on that network reach it. */
  readonly url: string;
  /** Stops listening and ends the connections in flight. */
  close(): Promise<void>;
}

/** A TCP relay listening on `address` (a random port) to the server at `target` (http://127.0.0.1:PORT). */
export async function startRelay(address: string, target: string): Promise<Relay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const relay = createServer((socket) => {
    const upstream = connect(Number(port), hostname);
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('close', () => sockets.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(0, address, resolve);
  });
  return {
    url: `http://${address}:${(relay.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}
