import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, RepositoryRecord } from '../store/index.ts';
import {
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  LifecyclePolicyPreviewNotFoundException,
} from './errors.ts';
import {
  imagesToExpire,
  LifecyclePolicyError,
  parseLifecyclePolicy,
  type Expiry,
  type LifecycleImage,
} from './lifecycle-policy.ts';
import { childDigestsOf } from './manifests.ts';
import { requireRepositoryRecord } from './repositories.ts';
import type {
  DeleteLifecyclePolicyRequest,
  DeleteLifecyclePolicyResponse,
  GetLifecyclePolicyPreviewRequest,
  GetLifecyclePolicyPreviewResponse,
  GetLifecyclePolicyRequest,
  GetLifecyclePolicyResponse,
  LifecyclePolicyPreviewResult,
  PutLifecyclePolicyRequest,
  PutLifecyclePolicyResponse,
  StartLifecyclePolicyPreviewRequest,
  StartLifecyclePolicyPreviewResponse,
} from './shapes.generated.ts';

export interface LifecycleDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
}

/** What a repository's details hold about its lifecycle policy. */
interface LifecycleDetails {
  lifecyclePolicyText?: string;
  lifecycleLastEvaluatedAt?: number;
  lifecyclePreview?: { text: string; results: { digest: string; rulePriority: number }[] };
}

function lifecycleOf(record: RepositoryRecord): LifecycleDetails {
  return record.details as LifecycleDetails;
}

function validate(text: string): ReturnType<typeof parseLifecyclePolicy> {
  try {
    return parseLifecyclePolicy(text);
  } catch (error) {
    if (!(error instanceof LifecyclePolicyError)) throw error;
    throw new InvalidParameterException(
      `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${error.message}'`,
    );
  }
}

function noPolicy(record: RepositoryRecord, context: RequestContext): LifecyclePolicyNotFoundException {
  return new LifecyclePolicyNotFoundException(
    `Lifecycle policy does not exist for the repository with name '${record.name}' in the registry with id '${context.accountId}'`,
  );
}

export async function putLifecyclePolicy(
  deps: LifecycleDeps,
  input: PutLifecyclePolicyRequest,
  context: RequestContext,
): Promise<PutLifecyclePolicyResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  validate(input.lifecyclePolicyText);
  await deps.store.repositories.update(record.name, {
    ...record.details,
    lifecyclePolicyText: input.lifecyclePolicyText,
  });
  return { registryId: context.accountId, repositoryName: record.name, lifecyclePolicyText: input.lifecyclePolicyText };
}

export async function getLifecyclePolicy(
  deps: LifecycleDeps,
  input: GetLifecyclePolicyRequest,
  context: RequestContext,
): Promise<GetLifecyclePolicyResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  const { lifecyclePolicyText, lifecycleLastEvaluatedAt } = lifecycleOf(record);
  if (lifecyclePolicyText === undefined) throw noPolicy(record, context);
  return {
    registryId: context.accountId,
    repositoryName: record.name,
    lifecyclePolicyText,
    ...(lifecycleLastEvaluatedAt !== undefined ? { lastEvaluatedAt: new Date(lifecycleLastEvaluatedAt) } : {}),
  };
}

export async function deleteLifecyclePolicy(
  deps: LifecycleDeps,
  input: DeleteLifecyclePolicyRequest,
  context: RequestContext,
): Promise<DeleteLifecyclePolicyResponse> {
  const out = await getLifecyclePolicy(deps, input, context);
  const record = (await deps.store.repositories.get(input.repositoryName))!;
  const {
    lifecyclePolicyText: _text,
    lifecycleLastEvaluatedAt: _at,
    ...rest
  } = record.details as LifecycleDetails & Record<string, unknown>;
  void _text;
  void _at;
  await deps.store.repositories.update(record.name, rest);
  return out;
}

async function lifecycleImages(
  deps: LifecycleDeps,
  repository: string,
): Promise<{ images: LifecycleImage[]; protectedDigests: Set<string> }> {
  const tags = await deps.store.registry.tagsOf(repository);
  const manifests = await deps.store.registry.listManifests(repository);
  // Images an index refers to go with their index, never on their own.
  const protectedDigests = new Set<string>();
  for (const m of manifests) for (const child of childDigestsOf(m)) protectedDigests.add(child);
  return {
    images: manifests.map((m) => ({ digest: m.digest, tags: tags.get(m.digest) ?? [], pushedAt: m.pushedAt })),
    protectedDigests,
  };
}

async function evaluate(deps: LifecycleDeps, repository: string, text: string): Promise<Expiry[]> {
  const { images, protectedDigests } = await lifecycleImages(deps, repository);
  return imagesToExpire(images, validate(text), deps.clock.now()).filter((e) => !protectedDigests.has(e.digest));
}

/** A preview runs at once and keeps its result until the next one: what a run would expire now. */
export async function startLifecyclePolicyPreview(
  deps: LifecycleDeps,
  input: StartLifecyclePolicyPreviewRequest,
  context: RequestContext,
): Promise<StartLifecyclePolicyPreviewResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  const text = input.lifecyclePolicyText ?? lifecycleOf(record).lifecyclePolicyText;
  if (text === undefined) throw noPolicy(record, context);
  const results = await evaluate(deps, record.name, text);
  await deps.store.repositories.update(record.name, { ...record.details, lifecyclePreview: { text, results } });
  return { registryId: context.accountId, repositoryName: record.name, lifecyclePolicyText: text, status: 'COMPLETE' };
}

export async function getLifecyclePolicyPreview(
  deps: LifecycleDeps,
  input: GetLifecyclePolicyPreviewRequest,
  context: RequestContext,
): Promise<GetLifecyclePolicyPreviewResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  const preview = lifecycleOf(record).lifecyclePreview;
  if (!preview) {
    throw new LifecyclePolicyPreviewNotFoundException(
      `There is no lifecycle policy preview for the repository with name '${record.name}' in the registry with id '${context.accountId}'`,
    );
  }
  const tags = await deps.store.registry.tagsOf(record.name);
  const pushed = new Map((await deps.store.registry.listManifests(record.name)).map((m) => [m.digest, m.pushedAt]));
  let results: LifecyclePolicyPreviewResult[] = preview.results.map((r) => ({
    imageDigest: r.digest,
    ...((tags.get(r.digest) ?? []).length > 0 ? { imageTags: tags.get(r.digest) } : {}),
    ...(pushed.has(r.digest) ? { imagePushedAt: pushed.get(r.digest)! } : {}),
    action: { type: 'EXPIRE' },
    appliedRulePriority: r.rulePriority,
  }));
  if (input.filter?.tagStatus === 'TAGGED') results = results.filter((r) => r.imageTags);
  if (input.filter?.tagStatus === 'UNTAGGED') results = results.filter((r) => !r.imageTags);
  if (input.imageIds) {
    results = results.filter((r) =>
      input.imageIds!.some(
        (id) => id.imageDigest === r.imageDigest || (id.imageTag !== undefined && r.imageTags?.includes(id.imageTag)),
      ),
    );
  }
  const start =
    input.nextToken === undefined ? 0 : Number(Buffer.from(input.nextToken, 'base64url').toString('utf8')) || 0;
  const size = input.maxResults ?? 100;
  const page = results.slice(start, start + size);
  return {
    registryId: context.accountId,
    repositoryName: record.name,
    lifecyclePolicyText: preview.text,
    status: 'COMPLETE',
    previewResults: page,
    summary: { expiringImageTotalCount: preview.results.length },
    ...(start + size < results.length ? { nextToken: Buffer.from(String(start + size)).toString('base64url') } : {}),
  };
}

/**
 * Applies every repository's lifecycle policy now: deletes what it expires (tags and manifests;
 * their blobs are then garbage for the collector). Runs on a schedule and on demand.
 */
export async function applyLifecyclePolicies(deps: LifecycleDeps): Promise<{ imagesExpired: number }> {
  let imagesExpired = 0;
  let after: string | undefined;
  for (;;) {
    const repositories = await deps.store.repositories.list({ after, limit: 100 });
    if (repositories.length === 0) break;
    for (const record of repositories) {
      const text = lifecycleOf(record).lifecyclePolicyText;
      if (text === undefined) continue;
      for (const expiry of await evaluate(deps, record.name, text)) {
        if (await deps.store.registry.deleteManifest(record.name, expiry.digest)) imagesExpired += 1;
      }
      const current = await deps.store.repositories.get(record.name);
      if (current)
        await deps.store.repositories.update(record.name, {
          ...current.details,
          lifecycleLastEvaluatedAt: deps.clock.now().getTime(),
        });
    }
    after = repositories.at(-1)!.name;
  }
  return { imagesExpired };
}
