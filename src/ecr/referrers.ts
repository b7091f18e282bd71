import type { RequestContext } from '../shared/request-context.ts';
import type { ManifestRecord, MetadataStore } from '../store/index.ts';
import { parseDigest } from './digests.ts';
import { InvalidParameterException } from './errors.ts';
import { checkRegistryId, notFound } from './repositories.ts';
import type { ImageReferrer, ListImageReferrersRequest, ListImageReferrersResponse } from './shapes.generated.ts';

/**
 * ListImageReferrers: the artifacts whose manifest names the image as its OCI `subject` (signatures,
 * SBOMs, attestations), from the same records the registry's referrers API serves. Berth never
 * archives an image, so every artifact is ACTIVE: asking for ARCHIVED or ACTIVATING ones finds
 * none. In digest order, 20 to a page unless maxResults says otherwise; nextToken is the last
 * digest returned (opaque), so artifacts pushed between two pages neither repeat nor shift others.
 */

const DEFAULT_PAGE_SIZE = 20;

function invalidToken(): InvalidParameterException {
  return new InvalidParameterException(
    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is not one this registry issued'",
  );
}

function toReferrer(manifest: ManifestRecord): ImageReferrer {
  // OCI's referrers rule: a manifest without an artifactType is typed by its config's media type.
  const artifactType = manifest.artifactType ?? manifest.configMediaType;
  return {
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    ...(artifactType !== undefined ? { artifactType } : {}),
    size: manifest.size,
    ...(manifest.annotations ? { annotations: { ...manifest.annotations } } : {}),
    artifactStatus: 'ACTIVE',
  };
}

export async function listImageReferrers(
  deps: { store: MetadataStore },
  input: ListImageReferrersRequest,
  context: RequestContext,
): Promise<ListImageReferrersResponse> {
  checkRegistryId(input.registryId, context);
  if (!(await deps.store.repositories.get(input.repositoryName))) throw notFound(input.repositoryName, context);
  const subject = input.subjectId.imageDigest;
  if (!parseDigest(subject)) {
    throw new InvalidParameterException(
      `Invalid parameter at 'subjectId.imageDigest' failed to satisfy constraint: 'Invalid digest: ${subject}'`,
    );
  }
  let after: string | undefined;
  if (input.nextToken !== undefined) {
    after = Buffer.from(input.nextToken, 'base64url').toString('utf8');
    if (!parseDigest(after)) throw invalidToken();
  }
  const status = input.filter?.artifactStatus ?? 'ACTIVE';
  const types = input.filter?.artifactTypes;
  const referrers = (
    status === 'ACTIVE' || status === 'ANY' ? await deps.store.registry.referrers(input.repositoryName, subject) : []
  )
    .map(toReferrer)
    .filter((r) => types === undefined || types.length === 0 || types.includes(r.artifactType ?? ''))
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const start = after === undefined ? 0 : referrers.findIndex((r) => r.digest > after);
  const size = input.maxResults ?? DEFAULT_PAGE_SIZE;
  const page = start === -1 ? [] : referrers.slice(start, start + size);
  const more = start !== -1 && start + size < referrers.length;
  return {
    referrers: page,
    ...(more ? { nextToken: Buffer.from(page.at(-1)!.digest).toString('base64url') } : {}),
  };
}
