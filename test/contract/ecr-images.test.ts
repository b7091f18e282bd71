import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
  PutImageCommand,
  StartImageScanCommand,
  UploadLayerPartCommand,
  paginateListImages,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { OCI_MANIFEST, RegistryClient, sha256 } from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { rejectsWith } from '../../testing/assertions.ts';

describe('ECR images, layers and scanning API with the AWS SDK v3', () => {
  let server: TestServer;
  let ecr: ECRClient;
  let registry: RegistryClient;

  before(async () => {
    server = await startTestServer();
    ({ client: registry, ecr } = await RegistryClient.forServer(server));
  });
  after(async () => {
    ecr.destroy();
    await server.stop();
  });

  describe('images', () => {
    let image: Awaited<ReturnType<RegistryClient['pushImage']>>;
    before(async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'images' }));
      image = await registry.pushImage('images', 'v1');
      await registry.putManifest('images', 'also', image.body);
      await registry.pushImage('images', 'untagged-later');
      await registry.request('DELETE', '/v2/images/manifests/untagged-later');
    });

    it('lists images, one entry per tag, filtered by tag status and page by page', async () => {
      const all = await ecr.send(new ListImagesCommand({ repositoryName: 'images' }));
      assert.equal(all.imageIds?.length, 3); // v1 and also on one image, and one untagged image
      const untagged = await ecr.send(
        new ListImagesCommand({ repositoryName: 'images', filter: { tagStatus: 'UNTAGGED' } }),
      );
      assert.equal(untagged.imageIds?.length, 1);
      assert.equal(untagged.imageIds?.[0]?.imageTag, undefined);
      const paged = [];
      for await (const page of paginateListImages({ client: ecr, pageSize: 1 }, { repositoryName: 'images' }))
        paged.push(...(page.imageIds ?? []));
      assert.equal(paged.length, 3);
    });

    it('keeps paging stable while images come and go between pages', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'paging' }));
      for (const tag of ['p1', 'p2', 'p3']) await registry.pushImage('paging', tag);
      const first = await ecr.send(new ListImagesCommand({ repositoryName: 'paging', maxResults: 2 }));
      assert.deepEqual(
        first.imageIds?.map((i) => i.imageTag),
        ['p1', 'p2'],
      );
      await registry.request('DELETE', '/v2/paging/manifests/p1'); // before the cursor: shifts nothing
      await registry.pushImage('paging', 'p4'); // after the cursor: shows up on a later page
      const rest = [];
      for await (const page of paginateListImages(
        { client: ecr, pageSize: 2, startingToken: first.nextToken },
        { repositoryName: 'paging' },
      )) {
        rest.push(...(page.imageIds ?? []).map((i) => i.imageTag));
      }
      assert.deepEqual(rest, ['p3', 'p4']);
    });

    it('describes images with digest, tags, size, push time and media types', async () => {
      const out = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'v1' }] }),
      );
      const detail = out.imageDetails?.[0];
      assert.equal(detail?.imageDigest, image.digest);
      assert.deepEqual(detail?.imageTags?.sort(), ['also', 'v1']);
      assert.equal(detail?.imageSizeInBytes, image.layer.length); // the layers' sizes, as ECR counts them
      assert.equal(detail?.imageManifestMediaType, OCI_MANIFEST);
      assert.equal(detail?.artifactMediaType, 'application/vnd.oci.image.config.v1+json');
      assert.ok(detail?.imagePushedAt instanceof Date);
      await rejectsWith(
        ecr.send(new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'nope' }] })),
        'ImageNotFoundException',
      );
    });

    it('records the last pull time', async () => {
      await registry.request('GET', '/v2/images/manifests/v1');
      const out = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageDigest: image.digest }] }),
      );
      assert.ok(out.imageDetails?.[0]?.lastRecordedPullTime instanceof Date);
    });

    it('gets manifests, with a failure entry per image it cannot give', async () => {
      const out = await ecr.send(
        new BatchGetImageCommand({
          repositoryName: 'images',
          imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }, { imageDigest: 'sha256:bad' }, {}],
        }),
      );
      assert.equal(out.images?.[0]?.imageManifest, image.body);
      assert.equal(out.images?.[0]?.imageId?.imageDigest, image.digest);
      assert.deepEqual(
        out.failures?.map((f) => f.failureCode),
        ['ImageNotFound', 'InvalidImageDigest', 'MissingDigestAndTag'],
      );
      const refused = await ecr.send(
        new BatchGetImageCommand({
          repositoryName: 'images',
          imageIds: [{ imageTag: 'v1' }],
          acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'],
        }),
      );
      assert.equal(refused.images?.length, 0);
      assert.equal(refused.failures?.length, 1);
    });

    it('puts an image: a new tag on an existing manifest, and refuses what ECR refuses', async () => {
      const out = await ecr.send(
        new PutImageCommand({ repositoryName: 'images', imageManifest: image.body, imageTag: 'v1-copy' }),
      );
      assert.equal(out.image?.imageId?.imageDigest, image.digest);
      await rejectsWith(
        ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: image.body, imageTag: 'v1-copy' })),
        'ImageAlreadyExistsException',
      );
      const missing = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('no config'), size: 9 },
        layers: [],
      });
      await rejectsWith(
        ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: missing, imageTag: 'x' })),
        'LayersNotFoundException',
      );
      await rejectsWith(
        ecr.send(
          new PutImageCommand({ repositoryName: 'images', imageManifest: image.body, imageDigest: sha256('other') }),
        ),
        'ImageDigestDoesNotMatchException',
      );
      await rejectsWith(
        ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: '{not json' })),
        'InvalidParameterException',
      );
    });

    it('keeps immutable tags for PutImage as for docker push', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'frozen', imageTagMutability: 'IMMUTABLE' }));
      const first = await registry.pushImage('frozen', 'release');
      const second = await registry.pushImage('frozen', 'other');
      await rejectsWith(
        ecr.send(new PutImageCommand({ repositoryName: 'frozen', imageManifest: second.body, imageTag: 'release' })),
        'ImageTagAlreadyExistsException',
      );
      const still = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'frozen', imageIds: [{ imageTag: 'release' }] }),
      );
      assert.equal(still.imageDetails?.[0]?.imageDigest, first.digest);
    });

    it('deletes by tag (untag; the image goes with its last tag) and by digest, never throwing for a missing one', async () => {
      const extra = await registry.pushImage('images', 'to-delete');
      const out = await ecr.send(
        new BatchDeleteImageCommand({
          repositoryName: 'images',
          imageIds: [{ imageTag: 'to-delete' }, { imageTag: 'never-was' }],
        }),
      );
      assert.deepEqual(out.imageIds, [{ imageDigest: extra.digest, imageTag: 'to-delete' }]);
      assert.deepEqual(
        out.failures?.map((f) => [f.imageId?.imageTag, f.failureCode]),
        [['never-was', 'ImageNotFound']],
      );
      assert.equal((await registry.request('GET', `/v2/images/manifests/${extra.digest}`)).status, 404);
      await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'also' }] }));
      assert.equal((await registry.request('GET', '/v2/images/manifests/v1')).status, 200); // v1 still tags it
    });
  });

  describe('layers', () => {
    before(async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'layers' }));
    });

    it('uploads a layer in parts through the API and checks its availability', async () => {
      const data = randomBytes(3000);
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      const { uploadId, partSize } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers' }));
      assert.ok(uploadId && partSize);
      const part1 = await ecr.send(
        new UploadLayerPartCommand({
          repositoryName: 'layers',
          uploadId,
          partFirstByte: 0,
          partLastByte: 1999,
          layerPartBlob: data.subarray(0, 2000),
        }),
      );
      assert.equal(part1.lastByteReceived, 1999);
      await rejectsWith(
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName: 'layers',
            uploadId,
            partFirstByte: 2500,
            partLastByte: 2999,
            layerPartBlob: data.subarray(2500),
          }),
        ),
        'InvalidLayerPartException',
      );
      await ecr.send(
        new UploadLayerPartCommand({
          repositoryName: 'layers',
          uploadId,
          partFirstByte: 2000,
          partLastByte: 2999,
          layerPartBlob: data.subarray(2000),
        }),
      );
      const done = await ecr.send(
        new CompleteLayerUploadCommand({ repositoryName: 'layers', uploadId, layerDigests: [digest] }),
      );
      assert.equal(done.layerDigest, digest);
      const check = await ecr.send(
        new BatchCheckLayerAvailabilityCommand({
          repositoryName: 'layers',
          layerDigests: [digest, sha256('absent'), 'bad'],
        }),
      );
      assert.deepEqual(check.layers, [
        { layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: 3000 },
        { layerDigest: sha256('absent'), layerAvailability: 'UNAVAILABLE' },
      ]);
      assert.equal(check.failures?.[0]?.failureCode, 'InvalidLayerDigest');
      const again = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers' }));
      await ecr.send(
        new UploadLayerPartCommand({
          repositoryName: 'layers',
          uploadId: again.uploadId,
          partFirstByte: 0,
          partLastByte: 2999,
          layerPartBlob: data,
        }),
      );
      await rejectsWith(
        ecr.send(
          new CompleteLayerUploadCommand({
            repositoryName: 'layers',
            uploadId: again.uploadId,
            layerDigests: [digest],
          }),
        ),
        'LayerAlreadyExistsException',
      );
    });

    it('refuses a wrong digest, an unknown upload and an empty one', async () => {
      const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers' }));
      await rejectsWith(
        ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'layers', uploadId, layerDigests: [sha256('x')] })),
        'EmptyUploadException',
      );
      await ecr.send(
        new UploadLayerPartCommand({
          repositoryName: 'layers',
          uploadId,
          partFirstByte: 0,
          partLastByte: 2,
          layerPartBlob: Buffer.from('abc'),
        }),
      );
      await rejectsWith(
        ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'layers', uploadId, layerDigests: [sha256('abd')] })),
        'InvalidLayerException',
      );
      await rejectsWith(
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName: 'layers',
            uploadId: '00000000-0000-0000-0000-000000000000',
            partFirstByte: 0,
            partLastByte: 0,
            layerPartBlob: Buffer.from('a'),
          }),
        ),
        'UploadNotFoundException',
      );
    });

    it('hands out a download URL that serves the layer', async () => {
      const data = randomBytes(777);
      const digest = await registry.pushBlob('layers', data);
      const { downloadUrl } = await ecr.send(
        new GetDownloadUrlForLayerCommand({ repositoryName: 'layers', layerDigest: digest }),
      );
      const response = await fetch(downloadUrl!);
      assert.equal(response.status, 200);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), data);
      const tampered = await fetch(downloadUrl!.replace(digest.slice(-4), '0000'));
      assert.notEqual(tampered.status, 200);
      await rejectsWith(
        ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'layers', layerDigest: sha256('absent') })),
        'LayersNotFoundException',
      );
    });
  });

  describe('image scanning', () => {
    it('has no findings before a scan, and a COMPLETE, honestly empty result after', async () => {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scanned' }));
      const image = await registry.pushImage('scanned', 'v1');
      const imageId = { imageTag: 'v1' };
      await rejectsWith(
        ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId })),
        'ScanNotFoundException',
      );
      const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'scanned', imageId }));
      assert.equal(started.imageScanStatus?.status, 'COMPLETE');
      const findings = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId }));
      assert.equal(findings.imageId?.imageDigest, image.digest);
      assert.deepEqual(findings.imageScanFindings?.findings, []);
      assert.match(findings.imageScanStatus?.description ?? '', /no vulnerability scanner/);
      await rejectsWith(
        ecr.send(new StartImageScanCommand({ repositoryName: 'scanned', imageId: { imageTag: 'nope' } })),
        'ImageNotFoundException',
      );
    });

    it('scans on push when the repository asks for it', async () => {
      await ecr.send(
        new CreateRepositoryCommand({
          repositoryName: 'scan-on-push',
          imageScanningConfiguration: { scanOnPush: true },
        }),
      );
      await registry.pushImage('scan-on-push', 'v1');
      const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'scan-on-push' }));
      assert.equal(out.imageDetails?.[0]?.imageScanStatus?.status, 'COMPLETE');
    });
  });
});
