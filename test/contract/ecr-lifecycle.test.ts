import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { FakeClock } from '../../src/shared/clock.ts';
import { RegistryClient } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

const keepTwoReleases = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'keep the two newest release images',
      selection: {
        tagStatus: 'tagged',
        tagPatternList: ['release-*'],
        countType: 'imageCountMoreThan',
        countNumber: 2,
      },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'drop untagged images after a day',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      action: { type: 'expire' },
    },
  ],
});

describe('ECR lifecycle policies', () => {
  let server: TestServer;
  let ecr: ECRClient;
  let registry: RegistryClient;
  const clock = new FakeClock(new Date());
  const digests: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({}, { clock });
    ({ client: registry, ecr } = await RegistryClient.forServer(server));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    for (const tag of ['release-1', 'release-2', 'release-3', 'dev']) {
      digests[tag] = (await registry.pushImage('app', tag)).digest;
      clock.advance(60_000); // one minute apart: release-1 is the oldest
    }
    digests.untagged = (await registry.pushImage('app', 'temporary')).digest;
    await registry.request('DELETE', '/v2/app/manifests/temporary');
  });
  after(async () => {
    ecr.destroy();
    await server.stop();
  });

  it('stores a valid policy and refuses an invalid one with ECR words', async () => {
    await rejectsWith(
      ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'app' })),
      'LifecyclePolicyNotFoundException',
    );
    const invalid = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 },
          action: { type: 'expire' },
        },
      ],
    });
    await rejectsWith(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'app', lifecyclePolicyText: invalid.padEnd(100) })),
      'InvalidParameterException',
      /Lifecycle policy validation failure: .*tagPrefixList or tagPatternList is required/,
    );
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'app', lifecyclePolicyText: keepTwoReleases }));
    const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }));
    assert.equal(out.lifecyclePolicyText, keepTwoReleases);
  });

  it('previews exactly what a run would expire', async () => {
    await rejectsWith(
      ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' })),
      'LifecyclePolicyPreviewNotFoundException',
    );
    clock.advance(25 * 60 * 60 * 1000); // the untagged image is now more than a day old
    // The server's clock jumped a day ahead: the SDK corrects its skew from the server's Date
    // header (as with AWS), and the registry needs a token issued in the server's time.
    ({ client: registry } = await RegistryClient.forServer(server, ecr));
    // As in ECR, the preview is evaluated after StartLifecyclePolicyPreview answers: polled until COMPLETE.
    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'app' }));
    assert.equal(started.status, 'IN_PROGRESS');
    assert.equal(started.lifecyclePolicyText, keepTwoReleases);
    let preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' }));
    for (let polls = 0; preview.status === 'IN_PROGRESS'; polls++) {
      assert.ok(polls < 100, 'the preview stayed IN_PROGRESS');
      assert.equal(preview.previewResults, undefined);
      await sleep(50);
      preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'app' }));
    }
    assert.equal(preview.status, 'COMPLETE');
    assert.equal(preview.summary?.expiringImageTotalCount, 2);
    assert.deepEqual(
      preview.previewResults?.map((r) => [r.imageDigest, r.imageTags ?? [], r.appliedRulePriority, r.action?.type]),
      [
        [digests['release-1'], ['release-1'], 1, 'EXPIRE'],
        [digests.untagged, [], 2, 'EXPIRE'],
      ],
    );
  });

  it('expires what the policy selects when applied, and nothing else', async () => {
    const report = await server.applyLifecyclePolicies();
    assert.deepEqual(report, { imagesExpired: 2 });
    const left = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }));
    assert.deepEqual(left.imageDetails?.map((d) => d.imageTags?.[0]).sort(), ['dev', 'release-2', 'release-3']);
    assert.equal((await registry.request('GET', '/v2/app/manifests/release-1')).errorCode, 'MANIFEST_UNKNOWN');
    const policy = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'app' }));
    assert.ok(policy.lastEvaluatedAt instanceof Date);
  });

  it('deletes the policy', async () => {
    const out = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'app' }));
    assert.equal(out.lifecyclePolicyText, keepTwoReleases);
    await rejectsWith(
      ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'app' })),
      'LifecyclePolicyNotFoundException',
    );
  });
});
