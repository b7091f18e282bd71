import type { ManifestReference } from '../store/index.ts';
import { parseDigest } from './digests.ts';
import { FOREIGN_LAYER_TYPES, isIndexMediaType, isManifestMediaType, MEDIA_TYPES } from './media-types.ts';
import { RegistryError } from './registry-errors.ts';

/** OCI's limit, and ECR's: a manifest of more than 4 MiB is refused. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture?: string; os?: string; variant?: string };
  readonly urls?: string[];
}

export interface ParsedManifest {
  readonly mediaType: string;
  readonly isIndex: boolean;
  /** Config and layers (image), or child manifests (index). */
  readonly references: readonly ManifestReference[];
  /** For an image: the sum of its layer sizes (ECR's imageSizeInBytes). For an index: 0, filled by the caller. */
  readonly layersSize: number;
  readonly children: readonly Descriptor[];
  readonly subject: string | undefined;
  readonly artifactType: string | undefined;
  readonly configMediaType: string | undefined;
  readonly annotations: Record<string, string> | undefined;
}

/**
 * Parses and validates a manifest as pushed: JSON, schemaVersion 2, a supported media type (from
 * Content-Type, agreeing with the body's mediaType), well-formed descriptors. Pure: whether the
 * referenced blobs exist is the caller's check.
 */
export function parseManifest(body: Uint8Array, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    throw invalid(`manifest is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('manifest must be a JSON object');
  const manifest = json as Record<string, unknown>;
  if (manifest.schemaVersion !== 2) {
    throw invalid(
      `schemaVersion must be 2 (got ${JSON.stringify(manifest.schemaVersion)}); schema 1 manifests are not supported`,
    );
  }
  const mediaType = resolveMediaType(manifest, contentType);
  const subject = manifest.subject === undefined ? undefined : descriptor(manifest.subject, 'subject').digest;
  const annotations = stringMap(manifest.annotations, 'annotations');
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(manifest.manifests)) throw invalid('an index must have a manifests array');
    const children = manifest.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    return {
      mediaType,
      isIndex: true,
      references: children.map((c) => ({ digest: c.digest, kind: 'manifest' as const })),
      layersSize: 0,
      children,
      subject,
      artifactType: optionalString(manifest.artifactType, 'artifactType'),
      configMediaType: undefined,
      annotations,
    };
  }
  const config = descriptor(manifest.config, 'config');
  if (!Array.isArray(manifest.layers)) throw invalid('an image manifest must have a layers array');
  const layers = manifest.layers.map((l, i) => descriptor(l, `layers[${i}]`));
  // A foreign (non-distributable) layer lives elsewhere: the registry never has it.
  const stored = layers.filter((l) => !(FOREIGN_LAYER_TYPES.has(l.mediaType) && l.urls && l.urls.length > 0));
  const references = new Map<string, ManifestReference>();
  for (const d of [config, ...stored]) references.set(d.digest, { digest: d.digest, kind: 'blob' });
  return {
    mediaType,
    isIndex: false,
    references: [...references.values()],
    layersSize: layers.reduce((sum, l) => sum + l.size, 0),
    children: [],
    subject,
    artifactType: optionalString(manifest.artifactType, 'artifactType'),
    configMediaType: config.mediaType,
    annotations,
  };
}

/** The child manifests a stored index refers to (none for an image manifest). */
export function childDigestsOf(manifest: { readonly mediaType: string; readonly body: Uint8Array }): string[] {
  if (!isIndexMediaType(manifest.mediaType)) return [];
  const body = JSON.parse(Buffer.from(manifest.body).toString('utf8')) as { manifests?: { digest?: unknown }[] };
  return (body.manifests ?? []).map((m) => m.digest).filter((d): d is string => typeof d === 'string');
}

function resolveMediaType(manifest: Record<string, unknown>, contentType: string | undefined): string {
  const header = contentType?.split(';')[0]?.trim();
  const field = optionalString(manifest.mediaType, 'mediaType');
  if (header && isManifestMediaType(header)) {
    if (field !== undefined && field !== header) {
      throw invalid(`mediaType '${field}' in the manifest does not match its Content-Type '${header}'`);
    }
    return header;
  }
  if (field !== undefined) {
    if (!isManifestMediaType(field)) throw invalid(`manifest media type '${field}' is not supported`);
    return field;
  }
  if (header && header !== 'application/json' && header !== 'application/octet-stream') {
    throw invalid(`manifest media type '${header}' is not supported`);
  }
  // No type anywhere: the OCI image spec's defaults.
  return Array.isArray(manifest.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
}

function descriptor(value: unknown, path: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${path} must be a descriptor object`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${path}.mediaType must be a string`);
  if (typeof d.digest !== 'string' || !parseDigest(d.digest)) {
    throw new RegistryError('DIGEST_INVALID', `${path}.digest is not a valid digest: ${JSON.stringify(d.digest)}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(`${path}.size must be a non-negative integer`);
  }
  const urls =
    d.urls === undefined
      ? undefined
      : Array.isArray(d.urls)
        ? d.urls.filter((u): u is string => typeof u === 'string')
        : undefined;
  const platform =
    typeof d.platform === 'object' && d.platform !== null ? (d.platform as Descriptor['platform']) : undefined;
  const artifactType = optionalString(d.artifactType, `${path}.artifactType`);
  const annotations = stringMap(d.annotations, `${path}.annotations`);
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
    ...(platform ? { platform } : {}),
    ...(urls ? { urls } : {}),
  };
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${path} must be a string`);
  return value;
}

function stringMap(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${path} must be an object`);
  for (const v of Object.values(value)) if (typeof v !== 'string') throw invalid(`${path} values must be strings`);
  return value as Record<string, string>;
}

function invalid(message: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message);
}
