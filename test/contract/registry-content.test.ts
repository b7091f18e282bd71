import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { FakeClock } from '../../src/shared/clock.ts';
import {
  createRepository,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  RegistryClient,
  sha256,
} from '../../testing/registry-client.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

// Protocol-level checks of the OCI distribution API (manifests, content discovery and management).
describe('registry protocol: manifests, discovery, management', () => {
  let server: TestServer;
  let client: RegistryClient;
  let ecr: ECRClient;
  const clock = new FakeClock(new Date());

  before(async () => {
    server = await startTestServer({}, { clock });
    ({ client, ecr } = await RegistryClient.forServer(server));
    for (const name of ['pull', 'push', 'other', 'team/app/web', 'immutable']) {
      await createRepository(ecr, name, name === 'immutable' ? { imageTagMutability: 'IMMUTABLE' } : {});
    }
  });
  after(async () => {
    ecr.destroy();
    await server.stop();
  });

  describe('manifests', () => {
    it('serves a pushed image by tag and digest, with its headers, and HEAD without a body', async () => {
      const image = await client.pushImage('pull', 'v1');
      for (const reference of ['v1', image.digest]) {
        const response = await client.request('GET', `/v2/pull/manifests/${reference}`, {
          headers: { accept: OCI_MANIFEST },
        });
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), OCI_MANIFEST);
        assert.equal(response.headers.get('docker-content-digest'), image.digest);
        assert.equal(response.body.toString(), image.body);
      }
      const head = await client.request('HEAD', '/v2/pull/manifests/v1');
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(image.body)));
      assert.equal(head.body.length, 0);
    });

    it('negotiates on Accept: a type the client does not accept is MANIFEST_UNKNOWN', async () => {
      await client.pushImage('pull', 'oci-only');
      const response = await client.request('GET', '/v2/pull/manifests/oci-only', {
        headers: { accept: DOCKER_MANIFEST },
      });
      assert.equal(response.status, 404);
      assert.equal(response.errorCode, 'MANIFEST_UNKNOWN');
    });

    it('stores Docker schema 2 manifests', async () => {
      const image = await client.pushImage('pull', 'docker', { mediaType: DOCKER_MANIFEST });
      const response = await client.request('GET', '/v2/pull/manifests/docker', {
        headers: { accept: DOCKER_MANIFEST },
      });
      assert.equal(response.headers.get('content-type'), DOCKER_MANIFEST);
      assert.equal(response.headers.get('docker-content-digest'), image.digest);
    });

    it('refuses a manifest that references a blob the repository lacks', async () => {
      const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('absent config'), size: 14 },
        layers: [],
      };
      const response = await client.putManifest('pull', 'broken', manifest);
      assert.equal(response.status, 400);
      assert.equal(response.errorCode, 'MANIFEST_BLOB_UNKNOWN');
    });

    it('refuses invalid manifests', async () => {
      const cases: [string, string][] = [
        ['{"schemaVersion": 2, ', 'MANIFEST_INVALID'],
        [JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }), 'MANIFEST_INVALID'],
        [JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }), 'MANIFEST_INVALID'],
      ];
      for (const [body, code] of cases) {
        const response = await client.putManifest('pull', 'bad', body);
        assert.equal(response.status, 400, body);
        assert.equal(response.errorCode, code, body);
      }
      const unsupported = await client.putManifest(
        'pull',
        'bad',
        '{"schemaVersion":2}',
        'application/vnd.docker.distribution.manifest.v1+prettyjws',
      );
      assert.equal(unsupported.errorCode, 'MANIFEST_INVALID');
    });

    it('refuses a manifest over 4 MiB with 413', async () => {
      const big = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        annotations: { pad: 'x'.repeat(4 * 1024 * 1024) },
      });
      const response = await client.putManifest('pull', 'big', big);
      assert.equal(response.status, 413);
    });

    it('refuses a digest reference that does not match the body, and invalid tags', async () => {
      const image = await client.pushImage('pull', 'v2');
      const wrong = await client.putManifest('pull', sha256('other'), image.body);
      assert.equal(wrong.errorCode, 'DIGEST_INVALID');
      const tag = await client.putManifest('pull', '-bad-tag', image.body);
      assert.equal(tag.errorCode, 'TAG_INVALID');
      const byDigest = await client.putManifest('pull', image.digest, image.body);
      assert.equal(byDigest.status, 201);
    });

    it('stores an index whose children exist, and serves the linux/amd64 child to clients without index support', async () => {
      const amd64 = await client.pushImage('pull', 'amd64');
      const arm64 = await client.pushImage('pull', 'arm64');
      const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: arm64.digest,
            size: Buffer.byteLength(arm64.body),
            platform: { os: 'linux', architecture: 'arm64' },
          },
          {
            mediaType: OCI_MANIFEST,
            digest: amd64.digest,
            size: Buffer.byteLength(amd64.body),
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      };
      assert.equal((await client.putManifest('pull', 'multi', index, OCI_INDEX)).status, 201);
      const asIndex = await client.request('GET', '/v2/pull/manifests/multi', {
        headers: { accept: `${OCI_INDEX}, ${OCI_MANIFEST}` },
      });
      assert.equal(asIndex.headers.get('content-type'), OCI_INDEX);
      const single = await client.request('GET', '/v2/pull/manifests/multi', { headers: { accept: OCI_MANIFEST } });
      assert.equal(single.headers.get('docker-content-digest'), amd64.digest);
      const missingChild = { ...index, manifests: [{ mediaType: OCI_MANIFEST, digest: sha256('nope'), size: 4 }] };
      assert.equal(
        (await client.putManifest('pull', 'multi2', missingChild, OCI_INDEX)).errorCode,
        'MANIFEST_BLOB_UNKNOWN',
      );
    });

    it('keeps immutable tags where they are', async () => {
      const first = await client.pushImage('immutable', 'release');
      await assert.rejects(
        client.pushImage('immutable', 'release'),
        /manifest push answered 400: .*TAG_INVALID.*cannot be overwritten/,
      );
      const still = await client.request('GET', '/v2/immutable/manifests/release');
      assert.equal(still.headers.get('docker-content-digest'), first.digest); // the tag kept its old digest
      assert.equal((await client.putManifest('immutable', 'release', first.body)).status, 201); // same digest: fine
    });
  });

  describe('content discovery', () => {
    it('lists tags page by page with n, last and a Link header', async () => {
      for (const tag of ['a', 'b', 'c', 'd']) await client.pushImage('team/app/web', tag);
      const first = await client.request('GET', '/v2/team/app/web/tags/list?n=2');
      assert.deepEqual(first.json, { name: 'team/app/web', tags: ['a', 'b'] });
      assert.equal(first.headers.get('link'), '</v2/team/app/web/tags/list?n=2&last=b>; rel="next"');
      const second = await client.request('GET', '/v2/team/app/web/tags/list?n=2&last=b');
      assert.deepEqual(second.json, { name: 'team/app/web', tags: ['c', 'd'] });
      assert.equal(second.headers.get('link'), null);
      assert.equal(
        (await client.request('GET', '/v2/team/app/web/tags/list?n=x')).errorCode,
        'PAGINATION_NUMBER_INVALID',
      );
    });

    it('lists referrers, filtered by artifactType', async () => {
      const image = await client.pushImage('pull', 'signed');
      const emptyConfig = await client.pushBlob('pull', '{}');
      const signature = await client.pushBlob('pull', 'signature bytes');
      const referrer = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example.signature',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyConfig, size: 2 },
        layers: [{ mediaType: 'application/octet-stream', digest: signature, size: 15 }],
        subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: Buffer.byteLength(image.body) },
        annotations: { 'org.example.kind': 'signature' },
      };
      const body = JSON.stringify(referrer);
      const pushed = await client.putManifest('pull', sha256(body), body);
      assert.equal(pushed.status, 201);
      assert.equal(pushed.headers.get('oci-subject'), image.digest);
      const all = await client.request('GET', `/v2/pull/referrers/${image.digest}`);
      assert.equal(all.headers.get('content-type'), OCI_INDEX);
      assert.deepEqual(all.json, {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: sha256(body),
            size: Buffer.byteLength(body),
            artifactType: 'application/vnd.example.signature',
            annotations: { 'org.example.kind': 'signature' },
          },
        ],
      });
      const filtered = await client.request('GET', `/v2/pull/referrers/${image.digest}?artifactType=application/other`);
      assert.deepEqual((filtered.json as { manifests: unknown[] }).manifests, []);
      assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    });
  });

  describe('content management', () => {
    it('deletes a manifest by digest, and the tags on it disappear', async () => {
      const image = await client.pushImage('pull', 'doomed');
      assert.equal((await client.request('DELETE', `/v2/pull/manifests/${image.digest}`)).status, 202);
      assert.equal((await client.request('GET', '/v2/pull/manifests/doomed')).errorCode, 'MANIFEST_UNKNOWN');
      const tags = (await client.request('GET', '/v2/pull/tags/list')).json as { tags: string[] };
      assert.ok(!tags.tags.includes('doomed'));
    });

    it('deletes a tag, leaving the manifest', async () => {
      const image = await client.pushImage('pull', 'tag-only');
      assert.equal((await client.request('DELETE', '/v2/pull/manifests/tag-only')).status, 202);
      assert.equal((await client.request('GET', `/v2/pull/manifests/${image.digest}`)).status, 200);
    });

    it('deletes a blob from a repository', async () => {
      const digest = await client.pushBlob('pull', randomBytes(10));
      assert.equal((await client.request('DELETE', `/v2/pull/blobs/${digest}`)).status, 202);
      assert.equal((await client.request('HEAD', `/v2/pull/blobs/${digest}`)).status, 404);
    });
  });
});
