import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { ImageNotFoundException, ScanNotFoundException } from './errors.ts';
import { notFound } from './repositories.ts';
import type {
  DescribeImageScanFindingsRequest,
  DescribeImageScanFindingsResponse,
  ImageIdentifier,
  ImageScanStatus,
  StartImageScanRequest,
  StartImageScanResponse,
} from './shapes.generated.ts';

export interface ScanDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
}

/**
 * Berth has no vulnerability scanner yet. A scan (started by StartImageScan, or on push when the
 * repository has scanOnPush) completes at once with no findings, and says so in its description,
 * so tools that wait for COMPLETE work and nobody mistakes it for a clean bill of health.
 */
export const SCAN_DESCRIPTION =
  'Berth has no vulnerability scanner yet: this scan checked nothing and reports no findings.';

export const COMPLETE: ImageScanStatus = { status: 'COMPLETE', description: SCAN_DESCRIPTION };

async function resolve(deps: ScanDeps, repository: string, id: ImageIdentifier, context: RequestContext) {
  if (!(await deps.store.repositories.get(repository))) throw notFound(repository, context);
  const digest =
    id.imageDigest ??
    (id.imageTag === undefined ? undefined : await deps.store.registry.resolveTag(repository, id.imageTag));
  const manifest = digest === undefined ? undefined : await deps.store.registry.getManifest(repository, digest);
  if (
    !manifest ||
    (id.imageTag !== undefined && (await deps.store.registry.resolveTag(repository, id.imageTag)) !== manifest.digest)
  ) {
    throw new ImageNotFoundException(
      `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repository}' in the registry with id '${context.accountId}'`,
    );
  }
  return manifest;
}

/** The image id ECR answers with: the digest, and the tag the caller named, if any. */
function resolvedId(digest: string, asked: ImageIdentifier): ImageIdentifier {
  return { imageDigest: digest, ...(asked.imageTag !== undefined ? { imageTag: asked.imageTag } : {}) };
}

export async function startImageScan(
  deps: ScanDeps,
  input: StartImageScanRequest,
  context: RequestContext,
): Promise<StartImageScanResponse> {
  const manifest = await resolve(deps, input.repositoryName, input.imageId, context);
  await deps.store.registry.recordScan(input.repositoryName, manifest.digest, deps.clock.now());
  return {
    registryId: context.accountId,
    repositoryName: input.repositoryName,
    imageId: resolvedId(manifest.digest, input.imageId),
    imageScanStatus: COMPLETE,
  };
}

export async function describeImageScanFindings(
  deps: ScanDeps,
  input: DescribeImageScanFindingsRequest,
  context: RequestContext,
): Promise<DescribeImageScanFindingsResponse> {
  const manifest = await resolve(deps, input.repositoryName, input.imageId, context);
  if (!manifest.scanCompletedAt) {
    throw new ScanNotFoundException(
      `Image scan does not exist for the image with '{imageDigest:'${manifest.digest}', imageTag:'${input.imageId.imageTag ?? 'null'}'}' in the repository with name '${input.repositoryName}' in the registry with id '${context.accountId}'`,
    );
  }
  return {
    registryId: context.accountId,
    repositoryName: input.repositoryName,
    imageId: resolvedId(manifest.digest, input.imageId),
    imageScanStatus: COMPLETE,
    imageScanFindings: {
      imageScanCompletedAt: manifest.scanCompletedAt,
      vulnerabilitySourceUpdatedAt: manifest.scanCompletedAt,
      findingSeverityCounts: {},
      findings: [],
    },
  };
}
