import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { loadServiceModel, type ServiceModel } from '../../src/aws-protocol/index.ts';
import { stsAccess, stsOperations, type StsDeps } from '../../src/sts/index.ts';
import { iamAccess, iamOperations, type IamDeps } from '../../src/iam/index.ts';
import { ecsAccess, ecsOperations, type EcsDeps } from '../../src/ecs/index.ts';
import { ecrAccess, ecrOperations, type EcrDeps } from '../../src/ecr/index.ts';
import { logsAccess, logsOperations } from '../../src/logs/index.ts';
import { elbAccess, elbOperations } from '../../src/elb/index.ts';
import { ssmAccess, ssmOperations, type SsmDeps } from '../../src/ssm/index.ts';
import { kmsAccess, kmsOperations, type KmsDeps } from '../../src/kms/index.ts';
import {
  secretsManagerAccess,
  secretsManagerOperations,
  type SecretsManagerDeps,
} from '../../src/secretsmanager/index.ts';
import {
  serviceDiscoveryAccess,
  serviceDiscoveryOperations,
  type ServiceDiscoveryDeps,
} from '../../src/servicediscovery/index.ts';
import { callJson, type Credentials } from '../../testing/signed-request.ts';
import { ADMIN_OPERATIONS } from '../../src/cmd/admin.ts';
import { ServerError, signedJsonClient } from '../../src/cmd/signed-fetch.ts';
import { minimalInput } from '../../testing/model-inputs.ts';
import { createUser } from '../../testing/iam-users.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Deny by default, structurally: every operation of every operation table declares what it asks
 * permission for, and a principal without any permission is refused every one of them, before the
 * operation runs (the inputs are the smallest the model accepts, so validation lets them through).
 */

// The tables' keys are all this test reads; the deps are never called.
const tables = {
  ecs: { model: loadServiceModel('ecs-2014-11-13'), operations: ecsOperations({} as EcsDeps), access: ecsAccess },
  ecr: {
    model: loadServiceModel('ecr-2015-09-21'),
    operations: ecrOperations({ registry: {} } as EcrDeps),
    access: ecrAccess,
  },
  logs: {
    model: loadServiceModel('logs-2014-03-28'),
    operations: logsOperations({} as Parameters<typeof logsOperations>[0]),
    access: logsAccess,
  },
  elasticloadbalancing: {
    model: loadServiceModel('elbv2-2015-12-01'),
    operations: elbOperations({} as Parameters<typeof elbOperations>[0]),
    access: elbAccess,
  },
  iam: {
    model: loadServiceModel('iam-2010-05-08'),
    operations: iamOperations({} as IamDeps),
    access: iamAccess,
  },
  sts: {
    model: loadServiceModel('sts-2011-06-15'),
    operations: stsOperations({} as StsDeps),
    access: stsAccess,
  },
  ssm: { model: loadServiceModel('ssm-2014-11-06'), operations: ssmOperations({} as SsmDeps), access: ssmAccess },
  kms: { model: loadServiceModel('kms-2014-11-01'), operations: kmsOperations({} as KmsDeps), access: kmsAccess },
  secretsmanager: {
    model: loadServiceModel('secretsmanager-2017-10-17'),
    operations: secretsManagerOperations({} as SecretsManagerDeps),
    access: secretsManagerAccess,
  },
  servicediscovery: {
    model: loadServiceModel('servicediscovery-2017-03-14'),
    operations: serviceDiscoveryOperations({} as ServiceDiscoveryDeps),
    access: serviceDiscoveryAccess,
  },
};

/** Query-protocol parameters for a model input: A.B, Names.member.N. */
function queryParameters(value: unknown, prefix: string, out: Record<string, string>): Record<string, string> {
  if (Array.isArray(value)) value.forEach((v, i) => queryParameters(v, `${prefix}.member.${i + 1}`, out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) queryParameters(v, prefix === '' ? k : `${prefix}.${k}`, out);
  else out[prefix] = String(value);
  return out;
}

async function callQuery(
  server: TestServer,
  credentials: Credentials,
  params: Record<string, string>,
  service = 'elasticloadbalancing',
) {
  const { host } = new URL(server.url);
  const body = new URLSearchParams(params).toString();
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: host,
    path: '/',
    query: {},
    headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  const response = await fetch(server.url, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** What a principal without permissions may still call in the JSON services: nothing. */
const OPEN_TO_EVERY_CALLER = new Set<string>();

describe('authorization, deny by default', () => {
  let server: TestServer;
  let nobody: Credentials;

  before(async () => {
    server = await startTestServer();
    nobody = await createUser(server, 'nobody');
  });
  after(() => server.stop());

  for (const [service, table] of Object.entries(tables)) {
    it(`every ${service} operation Berth implements declares what it asks permission for`, () => {
      assert.deepEqual(Object.keys(table.access).sort(), Object.keys(table.operations).sort());
    });
  }

  for (const service of ['ecs', 'ecr', 'logs', 'ssm', 'kms', 'secretsmanager', 'servicediscovery'] as const) {
    it(`refuses every ${service} operation to a user without permissions`, async () => {
      const { model, operations } = tables[service];
      const answers: string[] = [];
      for (const name of Object.keys(operations)) {
        if (OPEN_TO_EVERY_CALLER.has(`${service}.${name}`)) continue;
        const input = minimalInput(model, model.operations[name]!.input?.shape);
        const response = await callJson(server.url, `${model.metadata.targetPrefix}.${name}`, JSON.stringify(input), {
          credentials: nobody,
          service: signingName(model),
        });
        const type = String(response.json.__type);
        const message = String(response.json.message);
        if (type !== 'AccessDeniedException' || !message.includes(`user/nobody is not authorized to perform: `))
          answers.push(`${name}: ${response.status} ${type}: ${message}`);
      }
      assert.deepEqual(answers, []);
    });
  }

  it('refuses every elasticloadbalancing operation to a user without permissions', async () => {
    const { model, operations } = tables.elasticloadbalancing;
    const answers: string[] = [];
    for (const name of Object.keys(operations)) {
      const input = minimalInput(model, model.operations[name]!.input?.shape);
      const params = queryParameters(input, '', { Action: name, Version: model.metadata.apiVersion });
      const response = await callQuery(server, nobody, params);
      if (response.status !== 403 || !response.text.includes('<Code>AccessDenied</Code>'))
        answers.push(`${name}: ${response.status} ${response.text.slice(0, 300)}`);
    }
    assert.deepEqual(answers, []);
  });

  it("refuses every IAM operation to a user without permissions, with IAM's AccessDenied", async () => {
    const { model, operations } = tables.iam;
    const answers: string[] = [];
    for (const name of Object.keys(operations)) {
      const input = minimalInput(model, model.operations[name]!.input?.shape) as Record<string, unknown>;
      // The model's pattern for a version id (v1) is one minimalInput's 'a' does not meet.
      if ('VersionId' in input) input.VersionId = 'v1';
      const params = queryParameters(input, '', { Action: name, Version: model.metadata.apiVersion });
      const response = await callQuery(server, nobody, params, 'iam');
      if (
        response.status !== 403 ||
        !response.text.includes('<Code>AccessDenied</Code>') ||
        !response.text.includes(`user/nobody is not authorized to perform: iam:${name} on resource: `)
      )
        answers.push(`${name}: ${response.status} ${response.text.slice(0, 300)}`);
    }
    assert.deepEqual(answers, []);
  });

  it('refuses AssumeRole to a user without permissions, and lets every caller ask who it is and get a session', async () => {
    const sts = new STSClient({ endpoint: server.url, region: 'us-east-1', credentials: nobody, maxAttempts: 1 });
    await assert.rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/any', RoleSessionName: 'ci' })),
      (error: { name?: string; message: string }) => {
        assert.equal(error.name, 'AccessDenied');
        assert.match(error.message, /user\/nobody is not authorized to perform: sts:AssumeRole/);
        return true;
      },
    );
    assert.match((await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '', /:user\/nobody$/);
    assert.match((await sts.send(new GetSessionTokenCommand({}))).Credentials?.AccessKeyId ?? '', /^ASIA/);
    sts.destroy();
  });

  it("refuses every S3 operation to a user without permissions, with S3's own AccessDenied", async () => {
    const client = (credentials: Credentials) =>
      new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, credentials });
    const root = client(server.credentials);
    await root.send(new CreateBucketCommand({ Bucket: 'private' }));
    await root.send(new PutObjectCommand({ Bucket: 'private', Key: 'k', Body: 'secret' }));
    const user = client(nobody);
    const calls: [string, () => Promise<unknown>][] = [
      ['ListBuckets', () => user.send(new ListBucketsCommand({}))],
      ['CreateBucket', () => user.send(new CreateBucketCommand({ Bucket: 'mine' }))],
      ['HeadBucket', () => user.send(new HeadBucketCommand({ Bucket: 'private' }))],
      ['ListObjectsV2', () => user.send(new ListObjectsV2Command({ Bucket: 'private' }))],
      ['GetBucketLocation', () => user.send(new GetBucketLocationCommand({ Bucket: 'private' }))],
      ['PutObject', () => user.send(new PutObjectCommand({ Bucket: 'private', Key: 'k', Body: 'x' }))],
      ['GetObject', () => user.send(new GetObjectCommand({ Bucket: 'private', Key: 'k' }))],
      ['HeadObject', () => user.send(new HeadObjectCommand({ Bucket: 'private', Key: 'k' }))],
      ['DeleteObject', () => user.send(new DeleteObjectCommand({ Bucket: 'private', Key: 'k' }))],
      ['DeleteBucket', () => user.send(new DeleteBucketCommand({ Bucket: 'private' }))],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), (error: { $metadata?: { httpStatusCode?: number }; name?: string }) => {
        assert.equal(error.$metadata?.httpStatusCode, 403, name);
        return true;
      });
    }
    const kept = await root.send(new GetObjectCommand({ Bucket: 'private', Key: 'k' }));
    assert.equal(await kept.Body?.transformToString(), 'secret');
  });

  it("refuses every admin operation of Berth's channels (agents', berth lb's, maintenance) to a user", async () => {
    const call = signedJsonClient({
      endpoint: new URL(server.url),
      credentials: { current: async () => nobody },
      region: 'us-east-1',
      service: 'ecs',
    });
    for (const [path, operation] of Object.entries(ADMIN_OPERATIONS)) {
      // No container instance named: the agent paths ask for their berth: action (the report for
      // ecs:SubmitTaskStateChange on the cluster), as a caller that is not an agent would.
      const action = path === '/berth/agent/report' ? 'ecs:SubmitTaskStateChange' : `berth:${operation}`;
      await assert.rejects(call(path, { cluster: 'default' }), (error: unknown) => {
        assert.ok(error instanceof ServerError, `${path}: ${String(error)}`);
        assert.equal(error.status, 400, path);
        assert.match(error.message, new RegExp(`user/nobody is not authorized to perform: ${action}\\b`), path);
        return true;
      });
    }
  });

  it("refuses Berth's own operations to a user", async () => {
    // `berth gc` signed with the user's keys.
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(import.meta.dirname, '..', '..', 'bin', 'berth.js'), 'gc', '--endpoint', server.url],
        {
          env: {
            PATH: process.env.PATH ?? '',
            AWS_ACCESS_KEY_ID: nobody.accessKeyId,
            AWS_SECRET_ACCESS_KEY: nobody.secretAccessKey,
          },
        },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /user\/nobody is not authorized to perform: berth:RegistryGarbageCollection/);
  });
});

function signingName(model: ServiceModel): string {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}
