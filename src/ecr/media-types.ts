/** The manifest media types the registry stores and serves. */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export type ManifestMediaType = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];

const ALL = new Set<string>(Object.values(MEDIA_TYPES));

export function isManifestMediaType(value: string): value is ManifestMediaType {
  return ALL.has(value);
}

export function isIndexMediaType(value: string): boolean {
  return value === MEDIA_TYPES.dockerManifestList || value === MEDIA_TYPES.ociIndex;
}

/** Layers a registry never holds (Windows base layers): their descriptors point elsewhere. */
export const FOREIGN_LAYER_TYPES = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);
