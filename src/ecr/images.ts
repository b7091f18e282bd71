import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ManifestRecord, MetadataStore } from '../store/index.ts';
import { parseDigest } from './digests.ts';
import {
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LayersNotFoundException,
  ReferencedImagesNotFoundException,
} from './errors.ts';
import { childDigestsOf } from './manifests.ts';
import { isTag } from './names.ts';
import { RegistryError } from './registry-errors.ts';
import type { Registry } from './registry.ts';
import { notFound } from './repositories.ts';
import { COMPLETE } from './scans.ts';
import type {
  BatchDeleteImageRequest,
  BatchDeleteImageResponse,
  BatchGetImageRequest,
  BatchGetImageResponse,
  DescribeImagesRequest,
  DescribeImagesResponse,
  Image,
  ImageDetail,
  ImageFailure,
  ImageIdentifier,
  ListImagesRequest,
  ListImagesResponse,
  PutImageRequest,
  PutImageResponse,
  TagStatus,
} from './shapes.generated.ts';

export interface ImageDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly registry: Registry;
}

/** A stored image as the ECR API sees it: a manifest and the tags on it. */
interface StoredImage {
  readonly manifest: ManifestRecord;
  readonly tags: readonly string[];
}

async function imagesOf(deps: ImageDeps, repository: string, context: RequestContext): Promise<StoredImage[]> {
  if (!(await deps.store.repositories.get(repository))) throw notFound(repository, context);
  const tags = await deps.store.registry.tagsOf(repository);
  return (await deps.store.registry.listManifests(repository)).map((manifest) => ({
    manifest,
    tags: tags.get(manifest.digest) ?? [],
  }));
}

function matchesTagStatus(image: StoredImage, status: TagStatus | undefined): boolean {
  if (status === 'TAGGED') return image.tags.length > 0;
  if (status === 'UNTAGGED') return image.tags.length === 0;
  return true;
}

/** Where an item sits in the listing order: push time, digest, tag. */
type ListKey = [number, string, string];

function compareKeys(a: ListKey, b: ListKey): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/**
 * A page of items in listing order. The token is the key of the last item returned (opaque,
 * base64url), so images pushed or deleted between two calls neither repeat nor skip others.
 */
function page<T>(
  items: readonly T[],
  keyOf: (item: T) => ListKey,
  input: { maxResults?: number | undefined; nextToken?: string | undefined },
  defaultSize: number,
) {
  let start = 0;
  if (input.nextToken !== undefined) {
    let after: ListKey;
    try {
      after = JSON.parse(Buffer.from(input.nextToken, 'base64url').toString('utf8')) as ListKey;
    } catch {
      throw new InvalidParameterException('Invalid parameter at nextToken: the token is not one this registry issued.');
    }
    if (!Array.isArray(after) || after.length !== 3) {
      throw new InvalidParameterException('Invalid parameter at nextToken: the token is not one this registry issued.');
    }
    start = items.findIndex((item) => compareKeys(keyOf(item), after) > 0);
    if (start === -1) start = items.length;
  }
  const size = input.maxResults ?? defaultSize;
  const slice = items.slice(start, start + size);
  const last = slice.at(-1);
  const more = start + size < items.length && last !== undefined;
  return { slice, ...(more ? { nextToken: Buffer.from(JSON.stringify(keyOf(last))).toString('base64url') } : {}) };
}

export async function listImages(
  deps: ImageDeps,
  input: ListImagesRequest,
  context: RequestContext,
): Promise<ListImagesResponse> {
  const images = await imagesOf(deps, input.repositoryName, context);
  const ids: { id: ImageIdentifier; key: ListKey }[] = [];
  for (const image of images.filter((i) => matchesTagStatus(i, input.filter?.tagStatus))) {
    const { digest, pushedAt } = image.manifest;
    if (image.tags.length === 0) ids.push({ id: { imageDigest: digest }, key: [pushedAt.getTime(), digest, ''] });
    for (const tag of image.tags)
      ids.push({ id: { imageDigest: digest, imageTag: tag }, key: [pushedAt.getTime(), digest, tag] });
  }
  const { slice, ...next } = page(ids, (entry) => entry.key, input, 100);
  return { imageIds: slice.map((entry) => entry.id), ...next };
}

export async function describeImages(
  deps: ImageDeps,
  input: DescribeImagesRequest,
  context: RequestContext,
): Promise<DescribeImagesResponse> {
  const images = await imagesOf(deps, input.repositoryName, context);
  const detail = (image: StoredImage): ImageDetail => toDetail(image, input.repositoryName, context);
  if (input.imageIds) {
    if (input.nextToken !== undefined || input.maxResults !== undefined) {
      throw new InvalidParameterException('Invalid parameter: nextToken and maxResults cannot be used with imageIds.');
    }
    const details: ImageDetail[] = [];
    for (const id of input.imageIds) {
      const found = resolveImage(images, id);
      if (!('manifest' in found)) {
        throw new ImageNotFoundException(
          `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${input.repositoryName}' in the registry with id '${context.accountId}'`,
        );
      }
      if (!details.some((d) => d.imageDigest === found.manifest.digest)) details.push(detail(found));
    }
    return { imageDetails: details };
  }
  const selected = images.filter((i) => matchesTagStatus(i, input.filter?.tagStatus));
  const { slice, ...next } = page(selected, (i) => [i.manifest.pushedAt.getTime(), i.manifest.digest, ''], input, 100);
  return { imageDetails: slice.map(detail), ...next };
}

function toDetail(image: StoredImage, repositoryName: string, context: RequestContext): ImageDetail {
  const { manifest } = image;
  return {
    registryId: context.accountId,
    repositoryName,
    imageDigest: manifest.digest,
    ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
    imageSizeInBytes: manifest.imageSize,
    imagePushedAt: manifest.pushedAt,
    imageManifestMediaType: manifest.mediaType,
    ...((manifest.artifactType ?? manifest.configMediaType)
      ? { artifactMediaType: (manifest.artifactType ?? manifest.configMediaType)! }
      : {}),
    ...(manifest.lastPulledAt ? { lastRecordedPullTime: manifest.lastPulledAt } : {}),
    ...(manifest.scanCompletedAt
      ? {
          imageScanStatus: COMPLETE,
          imageScanFindingsSummary: {
            imageScanCompletedAt: manifest.scanCompletedAt,
            vulnerabilitySourceUpdatedAt: manifest.scanCompletedAt,
            findingSeverityCounts: {},
          },
        }
      : {}),
    imageStatus: 'ACTIVE',
  };
}

/** Finds the image an identifier names, or the failure ECR reports for it. */
function resolveImage(images: readonly StoredImage[], id: ImageIdentifier): StoredImage | ImageFailure {
  const failure = (failureCode: ImageFailure['failureCode'], failureReason: string): ImageFailure => ({
    imageId: id,
    failureCode,
    failureReason,
  });
  if (id.imageDigest === undefined && id.imageTag === undefined)
    return failure('MissingDigestAndTag', 'Missing image digest and tag');
  if (id.imageDigest !== undefined && !parseDigest(id.imageDigest))
    return failure('InvalidImageDigest', 'Invalid image digest');
  if (id.imageTag !== undefined && !isTag(id.imageTag)) return failure('InvalidImageTag', 'Invalid image tag');
  const byTag = id.imageTag === undefined ? undefined : images.find((i) => i.tags.includes(id.imageTag!));
  const byDigest = id.imageDigest === undefined ? undefined : images.find((i) => i.manifest.digest === id.imageDigest);
  if (id.imageTag !== undefined && id.imageDigest !== undefined) {
    if (!byTag && !byDigest) return failure('ImageNotFound', 'Requested image not found');
    if (byTag !== byDigest)
      return failure('ImageTagDoesNotMatchDigest', 'Invalid parameter: the image tag does not match the image digest');
  }
  const found = byTag ?? byDigest;
  return found ?? failure('ImageNotFound', 'Requested image not found');
}

export async function batchGetImage(
  deps: ImageDeps,
  input: BatchGetImageRequest,
  context: RequestContext,
): Promise<BatchGetImageResponse> {
  const images = await imagesOf(deps, input.repositoryName, context);
  const out: Image[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds) {
    const found = resolveImage(images, id);
    if (!('manifest' in found)) {
      failures.push(found);
      continue;
    }
    const { manifest } = found;
    if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(manifest.mediaType)) {
      failures.push({
        imageId: id,
        failureCode: 'ImageNotFound',
        failureReason: `The image's manifest media type ${manifest.mediaType} is not among the accepted media types`,
      });
      continue;
    }
    out.push({
      registryId: context.accountId,
      repositoryName: input.repositoryName,
      imageId: { imageDigest: manifest.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
      imageManifest: Buffer.from(manifest.body).toString('utf8'),
      imageManifestMediaType: manifest.mediaType,
    });
  }
  return { images: out, failures };
}

/**
 * Deletes images: by digest the manifest goes with every tag on it; by tag only the tag goes, and
 * the image with it once its last tag is gone, as ECR does. A missing image is a failure entry,
 * never an exception.
 */
export async function batchDeleteImage(
  deps: ImageDeps,
  input: BatchDeleteImageRequest,
  context: RequestContext,
): Promise<BatchDeleteImageResponse> {
  const deleted: ImageIdentifier[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input.imageIds) {
    const images = await imagesOf(deps, input.repositoryName, context);
    const found = resolveImage(images, id);
    if (!('manifest' in found)) {
      failures.push(found);
      continue;
    }
    const parents = images.filter((i) => i !== found && referencesChild(i.manifest, found.manifest.digest));
    const removesManifest = id.imageTag === undefined || found.tags.length <= 1;
    if (removesManifest && parents.length > 0) {
      failures.push({
        imageId: id,
        failureCode: 'ImageReferencedByManifestList',
        failureReason: 'Requested image is referenced by a manifest list',
      });
      continue;
    }
    if (id.imageTag !== undefined) await deps.store.registry.deleteTag(input.repositoryName, id.imageTag);
    if (removesManifest) await deps.store.registry.deleteManifest(input.repositoryName, found.manifest.digest);
    deleted.push({
      imageDigest: found.manifest.digest,
      ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}),
    });
  }
  return { imageIds: deleted, failures };
}

function referencesChild(manifest: ManifestRecord, digest: string): boolean {
  return childDigestsOf(manifest).includes(digest);
}

/** PutImage: a manifest pushed through the API, with the registry's checks, ECR's errors. */
export async function putImage(
  deps: ImageDeps,
  input: PutImageRequest,
  context: RequestContext,
): Promise<PutImageResponse> {
  const repository = input.repositoryName;
  if (!(await deps.store.repositories.get(repository))) throw notFound(repository, context);
  const body = Buffer.from(input.imageManifest, 'utf8');
  if (input.imageTag !== undefined && !isTag(input.imageTag)) {
    throw new InvalidParameterException(
      `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}''`,
    );
  }
  const reference = input.imageTag ?? input.imageDigest;
  const existingTag =
    input.imageTag === undefined ? undefined : await deps.store.registry.resolveTag(repository, input.imageTag);
  let record: ManifestRecord;
  try {
    const existing = deps.registry.manifestDigestOf(body, input.imageDigest);
    if (input.imageDigest !== undefined && input.imageDigest !== existing) {
      throw new ImageDigestDoesNotMatchException(
        `Invalid parameter at 'imageDigest': the manifest's digest is ${existing}, not ${input.imageDigest}`,
      );
    }
    const stored = await deps.store.registry.getManifest(repository, existing);
    if (stored && (input.imageTag === undefined || existingTag === existing)) {
      throw new ImageAlreadyExistsException(
        `Image with digest '${existing}'${input.imageTag !== undefined ? ` and tag '${input.imageTag}'` : ''} already exists in the repository with name '${repository}' in registry with id '${context.accountId}'`,
      );
    }
    record = await deps.registry.putManifest(repository, reference ?? existing, input.imageManifestMediaType, body);
  } catch (error) {
    throw toEcrError(error, repository, context);
  }
  return {
    image: {
      registryId: context.accountId,
      repositoryName: repository,
      imageId: { imageDigest: record.digest, ...(input.imageTag !== undefined ? { imageTag: input.imageTag } : {}) },
      imageManifest: input.imageManifest,
      imageManifestMediaType: record.mediaType,
    },
  };
}

function toEcrError(error: unknown, repository: string, context: RequestContext): unknown {
  if (!(error instanceof RegistryError)) return error;
  const detail = (error.detail ?? {}) as { digests?: string[]; kind?: string };
  switch (error.code) {
    case 'MANIFEST_BLOB_UNKNOWN':
      if (detail.kind === 'manifest') {
        return new ReferencedImagesNotFoundException(
          `The following referenced images were not found: [${(detail.digests ?? []).join(', ')}]`,
        );
      }
      return new LayersNotFoundException(
        `Layers with digests '[${(detail.digests ?? []).join(', ')}]' required for pushing image into repository with name '${repository}' in the registry with id '${context.accountId}' do not exist`,
      );
    case 'DIGEST_INVALID':
      return new ImageDigestDoesNotMatchException(error.message);
    case 'TAG_INVALID':
      return error.message.includes('immutable')
        ? new ImageTagAlreadyExistsException(error.message)
        : new InvalidParameterException(error.message);
    case 'NAME_UNKNOWN':
      return notFound(repository, context);
    default:
      return new InvalidParameterException(`Invalid parameter at 'imageManifest': ${error.message}`);
  }
}
