import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RequestContext } from '../shared/request-context.ts';
import type { ManifestRecord } from '../store/index.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { InvalidParameterException, RepositoryNotFoundException } from './errors.ts';
import { listImageReferrers } from './referrers.ts';
import { rootPrincipal } from '../shared/principal.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '123456789012',
  region: 'eu-west-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('123456789012'),
};
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const SUBJECT = digest('0');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function manifest(d: string, overrides: Partial<ManifestRecord> = {}): ManifestRecord {
  return {
    repository: 'app',
    digest: d,
    mediaType: OCI_MANIFEST,
    artifactType: undefined,
    configMediaType: 'application/vnd.oci.image.config.v1+json',
    subject: SUBJECT,
    size: 100,
    imageSize: 0,
    body: new Uint8Array(),
    annotations: undefined,
    pushedAt: new Date(0),
    lastPulledAt: undefined,
    scanCompletedAt: undefined,
    ...overrides,
  };
}

describe('ListImageReferrers', () => {
  let store: SqliteStore;
  const list = (input: Partial<Parameters<typeof listImageReferrers>[1]> = {}) =>
    listImageReferrers({ store }, { repositoryName: 'app', subjectId: { imageDigest: SUBJECT }, ...input }, context);

  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
    await store.repositories.insertIfAbsent({ name: 'app', arn: 'arn', createdAt: new Date(0), details: {} });
    await store.registry.putManifest(manifest(SUBJECT, { subject: undefined }), [], 'v1');
    await store.registry.putManifest(
      manifest(digest('b'), { artifactType: 'application/vnd.dev.sigstore.bundle+json', annotations: { a: '1' } }),
      [],
      undefined,
    );
    await store.registry.putManifest(manifest(digest('a'), { artifactType: 'application/spdx+json' }), [], undefined);
    await store.registry.putManifest(manifest(digest('c')), [], undefined);
  });
  afterEach(() => store.close());

  it('lists the manifests whose subject is the image, in digest order, all ACTIVE', async () => {
    const { referrers, nextToken } = await list();
    assert.equal(nextToken, undefined);
    assert.deepEqual(referrers, [
      {
        digest: digest('a'),
        mediaType: OCI_MANIFEST,
        artifactType: 'application/spdx+json',
        size: 100,
        artifactStatus: 'ACTIVE',
      },
      {
        digest: digest('b'),
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.dev.sigstore.bundle+json',
        size: 100,
        annotations: { a: '1' },
        artifactStatus: 'ACTIVE',
      },
      // No artifactType: typed by its config's media type, as the OCI referrers API does.
      {
        digest: digest('c'),
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.oci.image.config.v1+json',
        size: 100,
        artifactStatus: 'ACTIVE',
      },
    ]);
  });

  it('filters by artifact type and status: Berth archives nothing', async () => {
    const spdx = await list({ filter: { artifactTypes: ['application/spdx+json'] } });
    assert.deepEqual(
      spdx.referrers?.map((r) => r.digest),
      [digest('a')],
    );
    assert.equal((await list({ filter: { artifactStatus: 'ANY' } })).referrers?.length, 3);
    assert.deepEqual((await list({ filter: { artifactStatus: 'ARCHIVED' } })).referrers, []);
  });

  it('pages with maxResults and nextToken', async () => {
    const first = await list({ maxResults: 2 });
    assert.deepEqual(
      first.referrers?.map((r) => r.digest),
      [digest('a'), digest('b')],
    );
    const second = await list({ maxResults: 2, nextToken: first.nextToken });
    assert.deepEqual(
      second.referrers?.map((r) => r.digest),
      [digest('c')],
    );
    assert.equal(second.nextToken, undefined);
    await assert.rejects(list({ nextToken: 'bm9wZQ' }), InvalidParameterException);
  });

  it('answers an empty list for an image nothing refers to, and refuses what is not a digest', async () => {
    assert.deepEqual((await list({ subjectId: { imageDigest: digest('f') } })).referrers, []);
    await assert.rejects(list({ subjectId: { imageDigest: 'latest' } }), InvalidParameterException);
    await assert.rejects(list({ repositoryName: 'none' }), RepositoryNotFoundException);
  });
});
