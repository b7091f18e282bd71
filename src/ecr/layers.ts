import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { parseDigest } from './digests.ts';
import {
  EmptyUploadException,
  InvalidLayerException,
  InvalidLayerPartException,
  LayerAlreadyExistsException,
  LayersNotFoundException,
  UploadNotFoundException,
} from './errors.ts';
import { RegistryError } from './registry-errors.ts';
import type { Registry } from './registry.ts';
import { notFound } from './repositories.ts';
import type {
  BatchCheckLayerAvailabilityRequest,
  BatchCheckLayerAvailabilityResponse,
  CompleteLayerUploadRequest,
  CompleteLayerUploadResponse,
  GetDownloadUrlForLayerRequest,
  GetDownloadUrlForLayerResponse,
  InitiateLayerUploadRequest,
  InitiateLayerUploadResponse,
  Layer,
  LayerFailure,
  UploadLayerPartRequest,
  UploadLayerPartResponse,
} from './shapes.generated.ts';

export interface LayerDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly registry: Registry;
  /** A URL that lets its holder GET one blob for a while, signed for the caller. */
  readonly presignBlobUrl: (repository: string, digest: string, context: RequestContext) => Promise<string>;
}

/** What ECR tells clients to send per UploadLayerPart (parts may be of any size; this is advice). */
const PART_SIZE = 10 * 1024 * 1024;

async function requireRepository(deps: LayerDeps, name: string, context: RequestContext): Promise<void> {
  if (!(await deps.store.repositories.get(name))) throw notFound(name, context);
}

export async function batchCheckLayerAvailability(
  deps: LayerDeps,
  input: BatchCheckLayerAvailabilityRequest,
  context: RequestContext,
): Promise<BatchCheckLayerAvailabilityResponse> {
  await requireRepository(deps, input.repositoryName, context);
  const layers: Layer[] = [];
  const failures: LayerFailure[] = [];
  for (const digest of input.layerDigests) {
    if (!parseDigest(digest)) {
      failures.push({ layerDigest: digest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
      continue;
    }
    const size = await deps.store.registry.linkedBlobSize(input.repositoryName, digest);
    layers.push(
      size === undefined
        ? { layerDigest: digest, layerAvailability: 'UNAVAILABLE' }
        : { layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: size },
    );
  }
  return { layers, failures };
}

export async function getDownloadUrlForLayer(
  deps: LayerDeps,
  input: GetDownloadUrlForLayerRequest,
  context: RequestContext,
): Promise<GetDownloadUrlForLayerResponse> {
  await requireRepository(deps, input.repositoryName, context);
  const size = parseDigest(input.layerDigest)
    ? await deps.store.registry.linkedBlobSize(input.repositoryName, input.layerDigest)
    : undefined;
  if (size === undefined) {
    throw new LayersNotFoundException(
      `The layer with digest '${input.layerDigest}' does not exist in the repository with name '${input.repositoryName}' in the registry with id '${context.accountId}'`,
    );
  }
  return {
    downloadUrl: await deps.presignBlobUrl(input.repositoryName, input.layerDigest, context),
    layerDigest: input.layerDigest,
  };
}

export async function initiateLayerUpload(
  deps: LayerDeps,
  input: InitiateLayerUploadRequest,
  context: RequestContext,
): Promise<InitiateLayerUploadResponse> {
  await requireRepository(deps, input.repositoryName, context);
  const upload = await deps.registry.uploads.start(input.repositoryName);
  return { uploadId: upload.id, partSize: PART_SIZE };
}

async function* once(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

export async function uploadLayerPart(
  deps: LayerDeps,
  input: UploadLayerPartRequest,
  context: RequestContext,
): Promise<UploadLayerPartResponse> {
  await requireRepository(deps, input.repositoryName, context);
  const part = input.layerPartBlob;
  if (input.partLastByte - input.partFirstByte + 1 !== part.byteLength) {
    throw new InvalidLayerPartException(
      `The layer part size ${part.byteLength} does not match partFirstByte ${input.partFirstByte} and partLastByte ${input.partLastByte}.`,
    );
  }
  try {
    const upload = await deps.registry.uploads.append(input.repositoryName, input.uploadId, once(part), {
      start: input.partFirstByte,
      end: input.partLastByte,
    });
    return {
      registryId: context.accountId,
      repositoryName: input.repositoryName,
      uploadId: upload.id,
      lastByteReceived: upload.size - 1,
    };
  } catch (error) {
    throw toLayerError(error, input.uploadId, input.repositoryName, context);
  }
}

export async function completeLayerUpload(
  deps: LayerDeps,
  input: CompleteLayerUploadRequest,
  context: RequestContext,
): Promise<CompleteLayerUploadResponse> {
  await requireRepository(deps, input.repositoryName, context);
  const [digest, ...more] = input.layerDigests;
  if (digest === undefined || more.length > 0) {
    throw new InvalidLayerException('CompleteLayerUpload takes exactly one layer digest.');
  }
  try {
    const upload = await deps.registry.uploads.get(input.repositoryName, input.uploadId);
    if (upload.size === 0) throw new EmptyUploadException(`The upload with id '${input.uploadId}' has no layer parts.`);
    if ((await deps.store.registry.linkedBlobSize(input.repositoryName, digest)) !== undefined) {
      await deps.registry.uploads.cancel(input.repositoryName, input.uploadId);
      throw new LayerAlreadyExistsException(
        `The layer with digest '${digest}' already exists in the repository with name '${input.repositoryName}' in the registry with id '${context.accountId}'`,
      );
    }
    await deps.registry.uploads.complete(input.repositoryName, input.uploadId, digest);
  } catch (error) {
    throw toLayerError(error, input.uploadId, input.repositoryName, context);
  }
  return {
    registryId: context.accountId,
    repositoryName: input.repositoryName,
    uploadId: input.uploadId,
    layerDigest: digest,
  };
}

function toLayerError(error: unknown, uploadId: string, repository: string, context: RequestContext): unknown {
  if (!(error instanceof RegistryError)) return error;
  switch (error.code) {
    case 'BLOB_UPLOAD_UNKNOWN':
      return new UploadNotFoundException(
        `The upload with id '${uploadId}' does not exist in the repository with name '${repository}' in the registry with id '${context.accountId}'`,
      );
    case 'RANGE_INVALID': {
      const size = (error.detail as { size?: number } | undefined)?.size ?? 0;
      return new InvalidLayerPartException(
        `The layer part must start at byte ${size}, right after the last byte received (${size - 1}).`,
      );
    }
    case 'DIGEST_INVALID':
      return new InvalidLayerException(`The layer's content does not match the digest given: ${error.message}`);
    default:
      return new InvalidLayerException(error.message);
  }
}
