import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsCliFor, awsCliSkipReason } from '../../testing/aws-cli.ts';
import { RegistryClient } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/** The parts of the CLI's JSON output these tests read. */
interface CliOutput {
  repository: Record<string, unknown>;
  repositories: Record<string, unknown>[];
  imageIds: Record<string, unknown>[];
  imageDetails: Record<string, unknown>[];
  failures: unknown[];
  lifecyclePolicyText: string;
  tags: unknown[];
  policyText: string;
  images: Record<string, unknown>[];
  image: unknown;
  layers: Record<string, unknown>[];
  downloadUrl: string;
  uploadId: string;
  imageScanStatus: unknown;
}

describe('AWS CLI v2: ECR', { skip: awsCliSkipReason() }, () => {
  let server: TestServer;
  let ecr: ReturnType<typeof awsCliFor>['run'];
  let json: (...args: string[]) => Promise<CliOutput>;
  before(async () => {
    server = await startTestServer();
    const cli = awsCliFor(server, 'ecr');
    ecr = cli.run;
    json = (...args) => cli.json<CliOutput>(...args);
  });
  after(() => server.stop());

  it('manages repositories', async () => {
    const created = await json(
      'create-repository',
      '--repository-name',
      'cli/app',
      '--image-tag-mutability',
      'IMMUTABLE',
    );
    assert.equal(created.repository['repositoryUri'], `localhost:${server.port}/cli/app`);
    const described = await json('describe-repositories', '--repository-names', 'cli/app');
    assert.equal(described.repositories[0]!['imageTagMutability'], 'IMMUTABLE');
    await json('put-image-tag-mutability', '--repository-name', 'cli/app', '--image-tag-mutability', 'MUTABLE');
    const missing = await ecr('describe-repositories', '--repository-names', 'cli/none');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(RepositoryNotFoundException\)/);
  });

  it('gets a login password the registry accepts', async () => {
    const password = (await ecr('get-login-password')).stdout.trim();
    const response = await new RegistryClient(server.url, password).request('GET', '/v2/');
    assert.equal(response.status, 200);
  });

  it('lists, describes and deletes images pushed to the registry', async () => {
    await json('create-repository', '--repository-name', 'cli/images');
    const password = (await ecr('get-login-password')).stdout.trim();
    const image = await new RegistryClient(server.url, password).pushImage('cli/images', 'v1');
    const listed = await json('list-images', '--repository-name', 'cli/images');
    assert.deepEqual(listed.imageIds, [{ imageDigest: image.digest, imageTag: 'v1' }]);
    const described = await json('describe-images', '--repository-name', 'cli/images');
    assert.equal(described.imageDetails[0]!['imageDigest'], image.digest);
    const deleted = await json('batch-delete-image', '--repository-name', 'cli/images', '--image-ids', 'imageTag=v1');
    assert.deepEqual(deleted.imageIds, [{ imageDigest: image.digest, imageTag: 'v1' }]);
    assert.deepEqual(deleted.failures, []);
    await json('delete-repository', '--repository-name', 'cli/images', '--force');
  });

  it('sets and reads a lifecycle policy', async () => {
    await json('create-repository', '--repository-name', 'cli/lifecycle');
    const text = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
          action: { type: 'expire' },
        },
      ],
    });
    await json('put-lifecycle-policy', '--repository-name', 'cli/lifecycle', '--lifecycle-policy-text', text);
    const policy = await json('get-lifecycle-policy', '--repository-name', 'cli/lifecycle');
    assert.equal(policy.lifecyclePolicyText, text);
  });

  it('covers policies, tags, images, layers and scans', async () => {
    await json('create-repository', '--repository-name', 'cli/more');
    const arn = `arn:aws:ecr:us-east-1:000000000000:repository/cli/more`;
    await json('tag-resource', '--resource-arn', arn, '--tags', 'Key=team,Value=a');
    assert.deepEqual((await json('list-tags-for-resource', '--resource-arn', arn)).tags, [{ Key: 'team', Value: 'a' }]);
    await json('untag-resource', '--resource-arn', arn, '--tag-keys', 'team');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }],
    });
    await json('set-repository-policy', '--repository-name', 'cli/more', '--policy-text', policy);
    assert.equal((await json('get-repository-policy', '--repository-name', 'cli/more')).policyText, policy);
    await json('delete-repository-policy', '--repository-name', 'cli/more');
    const password = (await ecr('get-login-password')).stdout.trim();
    const image = await new RegistryClient(server.url, password).pushImage('cli/more', 'v1');
    const got = await json('batch-get-image', '--repository-name', 'cli/more', '--image-ids', 'imageTag=v1');
    assert.equal(got.images[0]!['imageManifest'], image.body);
    const put = await json(
      'put-image',
      '--repository-name',
      'cli/more',
      '--image-manifest',
      image.body,
      '--image-tag',
      'v1-again',
    );
    assert.equal((put.image as Record<string, Record<string, string>>)['imageId']!['imageDigest'], image.digest);
    const layers = await json(
      'batch-check-layer-availability',
      '--repository-name',
      'cli/more',
      '--layer-digests',
      image.layerDigest,
    );
    assert.equal(layers.layers[0]!['layerAvailability'], 'AVAILABLE');
    const url = await json(
      'get-download-url-for-layer',
      '--repository-name',
      'cli/more',
      '--layer-digest',
      image.layerDigest,
    );
    assert.equal((await fetch(url.downloadUrl)).status, 200);
    const initiated = await json('initiate-layer-upload', '--repository-name', 'cli/more');
    assert.ok(initiated.uploadId);
    await json('start-image-scan', '--repository-name', 'cli/more', '--image-id', 'imageTag=v1');
    const findings = await json(
      'describe-image-scan-findings',
      '--repository-name',
      'cli/more',
      '--image-id',
      'imageTag=v1',
    );
    assert.equal((findings.imageScanStatus as Record<string, string>)['status'], 'COMPLETE');
    const missing = await ecr('describe-images', '--repository-name', 'cli/more', '--image-ids', 'imageTag=nope');
    assert.match(missing.stderr, /\(ImageNotFoundException\)/);
  });
});
