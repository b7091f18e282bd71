import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

describe('AWS CLI v2 against a real server', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let env: Record<string, string>;
  before(async () => {
    server = await startTestServer();
    env = {
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
  });
  after(() => server.stop());

  it('aws ecs list-clusters answers {"clusterArns": []}', async () => {
    const result = await aws(['--endpoint-url', server.url, 'ecs', 'list-clusters'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { clusterArns: [] });
  });

  it('creates and describes a cluster', async () => {
    const created = await aws(
      ['--endpoint-url', server.url, 'ecs', 'create-cluster', '--cluster-name', 'cli', '--tags', 'key=a,value=b'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).cluster.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/cli');
    const described = await aws(
      ['--endpoint-url', server.url, 'ecs', 'describe-clusters', '--clusters', 'cli', 'missing', '--include', 'TAGS'],
      env,
    );
    assert.equal(described.code, 0, described.stderr);
    const out = JSON.parse(described.stdout);
    assert.deepEqual(out.clusters[0].tags, [{ key: 'a', value: 'b' }]);
    assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/missing', reason: 'MISSING' }]);
  });

  it('refuses a wrong secret key with InvalidSignatureException', async () => {
    const result = await aws(['--endpoint-url', server.url, 'ecs', 'list-clusters'], {
      ...env,
      AWS_SECRET_ACCESS_KEY: 'wrong'.repeat(8),
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\(InvalidSignatureException\) when calling the ListClusters operation/);
  });

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const result = await aws(['--endpoint-url', server.url, 'ecs', 'list-clusters'], {
      ...env,
      AWS_ACCESS_KEY_ID: 'AKIANOTKNOWNHERE0000',
    });
    assert.match(result.stderr, /\(UnrecognizedClientException\)/);
  });
});
