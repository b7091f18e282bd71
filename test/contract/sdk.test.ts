import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreatePullThroughCacheRuleCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  InvalidParameterException,
  ListClustersCommand,
  paginateListClusters,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { callJson, ECS_TARGET, post, signJsonCall } from '../../testing/signed-request.ts';

describe('AWS SDK v3 against a real server', () => {
  let server: TestServer;
  let ecs: ECSClient;
  before(async () => {
    server = await startTestServer();
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: server.credentials });
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
  });

  const client = (credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1') =>
    new ECSClient({ endpoint: server.url, region, credentials, maxAttempts: 1 });

  it('lists no clusters on a fresh server', async () => {
    const out = await ecs.send(new ListClustersCommand({}));
    assert.deepEqual(out.clusterArns, []);
    assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('creates, describes and paginates clusters', async () => {
    for (const name of ['one', 'two', 'three']) await ecs.send(new CreateClusterCommand({ clusterName: name }));
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['one', 'nope'], include: ['SETTINGS'] }));
    assert.equal(described.clusters?.[0]?.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/one');
    assert.deepEqual(described.clusters?.[0]?.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.equal(described.failures?.[0]?.reason, 'MISSING');
    const arns: string[] = [];
    for await (const page of paginateListClusters({ client: ecs, pageSize: 2 }, {}))
      arns.push(...(page.clusterArns ?? []));
    assert.deepEqual(arns.map((a) => a.split('/')[1]).sort(), ['one', 'three', 'two']);
  });

  it('surfaces model validation as the SDK exception class', async () => {
    await assert.rejects(ecs.send(new ListClustersCommand({ maxResults: 1000 })), InvalidParameterException);
    await assert.rejects(
      ecs.send(new DescribeClustersCommand({ include: ['NOT_A_FIELD' as 'TAGS'] })),
      (error: Error) =>
        error.name === 'InvalidParameterException' && /Member must satisfy enum value set/.test(error.message),
    );
  });

  it('refuses a wrong secret key with InvalidSignatureException', async () => {
    const wrong = client({ accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'x'.repeat(40) });
    await assert.rejects(
      wrong.send(new ListClustersCommand({})),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'InvalidSignatureException');
        assert.equal(error.$metadata?.httpStatusCode, 400);
        return true;
      },
    );
  });

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const stranger = client({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) });
    await assert.rejects(stranger.send(new ListClustersCommand({})), { name: 'UnrecognizedClientException' });
  });

  it('refuses credentials scoped to another region', async () => {
    await assert.rejects(client(server.credentials, 'eu-west-1').send(new ListClustersCommand({})), {
      name: 'InvalidSignatureException',
    });
  });

  it('answers ECR operations not built yet with NotImplementedException (501), not a fake answer', async () => {
    const ecr = new ECRClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
      maxAttempts: 1,
    });
    await assert.rejects(
      ecr.send(
        new CreatePullThroughCacheRuleCommand({
          ecrRepositoryPrefix: 'hub',
          upstreamRegistryUrl: 'registry-1.docker.io',
        }),
      ),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'NotImplementedException');
        assert.equal(error.$metadata?.httpStatusCode, 501);
        return true;
      },
    );
    ecr.destroy();
  });

  describe('raw HTTP', () => {
    const target = `${ECS_TARGET}.ListClusters`;

    it('asks for authentication when none is sent', async () => {
      const response = await post(
        server.url,
        { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        '{}',
      );
      assert.equal(response.status, 400);
      assert.deepEqual(response.json, {
        __type: 'MissingAuthenticationTokenException',
        message: 'Request is missing Authentication Token',
      });
      assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    });

    it('answers an unknown target with UnknownOperationException', async () => {
      const response = await callJson(server.url, `${ECS_TARGET}.LaunchRockets`, '{}', {
        credentials: server.credentials,
      });
      assert.equal(response.status, 400);
      assert.equal(response.json.__type, 'UnknownOperationException');
    });

    it('answers a malformed body with SerializationException', async () => {
      const response = await callJson(server.url, target, '{"maxResults": ', { credentials: server.credentials });
      assert.equal(response.status, 400);
      assert.equal(response.json.__type, 'SerializationException');
      assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
    });

    it('answers a wrong type with InvalidParameterException', async () => {
      const response = await callJson(server.url, target, '{"maxResults": "ten"}', { credentials: server.credentials });
      assert.equal(response.status, 400);
      assert.equal(response.json.__type, 'InvalidParameterException');
      assert.match(
        String(response.json.message),
        /Value 'ten' at 'maxResults' failed to satisfy constraint: Member must be an integer/,
      );
    });

    it('refuses a body over 10 MiB with 413 and a clear message', async () => {
      const big = JSON.stringify({ nextToken: 'x'.repeat(10 * 1024 * 1024) });
      const signed = await signJsonCall(server.url, target, big, { credentials: server.credentials });
      const response = await post(server.url, signed.headers, signed.body);
      assert.equal(response.status, 413);
      assert.equal(response.json.__type, 'RequestEntityTooLargeException');
      assert.match(String(response.json.message), /larger than the 10485760-byte limit/);
    });

    it('refuses a request signed 20 minutes ago', async () => {
      const date = new Date(Date.now() - 20 * 60_000);
      const response = await callJson(server.url, target, '{}', { credentials: server.credentials, date });
      assert.equal(response.status, 400);
      assert.equal(response.json.__type, 'InvalidSignatureException');
      assert.match(String(response.json.message), /Signature expired/);
    });
  });

  describe('operations surface', () => {
    it('serves /healthz, /readyz and Prometheus /metrics', async () => {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const ready = await fetch(`${server.url}/readyz`);
      // A server alone on its store: no leases to report.
      assert.deepEqual(await ready.json(), { status: 'ready', store: 'reachable', volume: 'writable' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /berth_requests_total\{service="ecs",operation="ListClusters",status="200"\} \d+/);
      assert.match(
        metrics,
        /berth_request_duration_seconds_bucket\{le="0.005",service="ecs",operation="ListClusters",status="200"\}/,
      );
    });
  });
});
