import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from './manifests.ts';
import { MEDIA_TYPES } from './media-types.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const image = {
  schemaVersion: 2,
  mediaType: MEDIA_TYPES.ociManifest,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('c'), size: 10 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('a'), size: 100 },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest('b'), size: 200 },
  ],
};

describe('parseManifest', () => {
  it('reads an image: its blobs, layer sizes and config type', () => {
    const parsed = parseManifest(bytes(image), MEDIA_TYPES.ociManifest);
    assert.equal(parsed.isIndex, false);
    assert.deepEqual(
      parsed.references.map((r) => r.digest),
      [digest('c'), digest('a'), digest('b')],
    );
    assert.equal(parsed.layersSize, 300); // 100 + 200: ECR counts layers, not the config
    assert.equal(parsed.configMediaType, 'application/vnd.oci.image.config.v1+json');
  });

  it('reads an index: its children are manifests', () => {
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest: digest('d'), size: 5 }],
    };
    const parsed = parseManifest(bytes(index), MEDIA_TYPES.ociIndex);
    assert.deepEqual(parsed.references, [{ digest: digest('d'), kind: 'manifest' }]);
  });

  it('takes the type from the body when the Content-Type says nothing, and OCI defaults without either', () => {
    assert.equal(parseManifest(bytes(image), undefined).mediaType, MEDIA_TYPES.ociManifest);
    const { mediaType: _ignored, ...untyped } = image;
    void _ignored;
    assert.equal(parseManifest(bytes(untyped), 'application/json').mediaType, MEDIA_TYPES.ociManifest);
  });

  it('skips foreign layers, which the registry never holds', () => {
    const windows = {
      ...image,
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          digest: digest('f'),
          size: 1,
          urls: ['https://example'],
        },
      ],
    };
    assert.deepEqual(
      parseManifest(bytes(windows), MEDIA_TYPES.ociManifest).references.map((r) => r.digest),
      [digest('c')],
    );
  });

  it('keeps the subject and artifactType of an OCI artifact', () => {
    const artifact = {
      ...image,
      artifactType: 'application/vnd.example',
      subject: { mediaType: MEDIA_TYPES.ociManifest, digest: digest('e'), size: 3 },
    };
    const parsed = parseManifest(bytes(artifact), MEDIA_TYPES.ociManifest);
    assert.equal(parsed.subject, digest('e'));
    assert.equal(parsed.artifactType, 'application/vnd.example');
  });

  const invalid: [string, unknown, string | undefined, string][] = [
    ['not JSON', '{', MEDIA_TYPES.ociManifest, 'MANIFEST_INVALID'],
    ['an array', [], MEDIA_TYPES.ociManifest, 'MANIFEST_INVALID'],
    ['schema 1', { schemaVersion: 1 }, MEDIA_TYPES.ociManifest, 'MANIFEST_INVALID'],
    ['a body type that contradicts Content-Type', image, MEDIA_TYPES.dockerManifest, 'MANIFEST_INVALID'],
    ['an unsupported type', { ...image, mediaType: 'application/x-custom' }, undefined, 'MANIFEST_INVALID'],
    ['no config', { ...image, config: undefined }, MEDIA_TYPES.ociManifest, 'MANIFEST_INVALID'],
    ['layers not a list', { ...image, layers: {} }, MEDIA_TYPES.ociManifest, 'MANIFEST_INVALID'],
    [
      'a bad layer digest',
      { ...image, layers: [{ mediaType: 'x', digest: 'md5:abc', size: 1 }] },
      MEDIA_TYPES.ociManifest,
      'DIGEST_INVALID',
    ],
    [
      'a negative size',
      { ...image, layers: [{ mediaType: 'x', digest: digest('a'), size: -1 }] },
      MEDIA_TYPES.ociManifest,
      'MANIFEST_INVALID',
    ],
    [
      'an index without manifests',
      { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex },
      MEDIA_TYPES.ociIndex,
      'MANIFEST_INVALID',
    ],
    ['non-string annotations', { ...image, annotations: { a: 1 } }, MEDIA_TYPES.ociManifest, 'MANIFEST_INVALID'],
  ];
  for (const [what, body, contentType, code] of invalid) {
    it(`refuses ${what} with ${code}`, () => {
      assert.throws(() => parseManifest(bytes(body), contentType), { code });
    });
  }
});
