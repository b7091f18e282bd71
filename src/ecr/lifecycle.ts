import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, RepositoryRecord } from '../store/index.ts';
import {
  InvalidParameterException,
  LifecyclePolicyNotFoundException,
  LifecyclePolicyPreviewInProgressException,
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
  lifecyclePreview?: StoredPreview;
}

/**
 * A repository's last preview. Stored before it is evaluated, so that a server that stops
 * mid-evaluation finds it IN_PROGRESS and evaluates it again (no status: one stored COMPLETE by an
 * older Berth, which evaluated at once).
 */
interface StoredPreview {
  readonly id?: string;
  readonly text: string;
  readonly status?: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';
  readonly results: readonly { digest: string; rulePriority: number }[];
}

/** Ids of the previews this process is evaluating, per store: any other IN_PROGRESS one was orphaned by a restart. */
const evaluating = new WeakMap<MetadataStore, Set<string>>();

function evaluatingIn(store: MetadataStore): Set<string> {
  let ids = evaluating.get(store);
  if (!ids) evaluating.set(store, (ids = new Set()));
  return ids;
}

const isEvaluating = (deps: LifecycleDeps, preview: StoredPreview | undefined): boolean =>
  preview?.status === 'IN_PROGRESS' && preview.id !== undefined && evaluatingIn(deps.store).has(preview.id);

/**
 * Evaluates the preview after the response that started it has gone, and stores its results
 * COMPLETE (FAILED if the evaluation throws), unless a newer preview replaced it meanwhile.
 */
function evaluateLater(deps: LifecycleDeps, repository: string, preview: StoredPreview & { id: string }): void {
  const ids = evaluatingIn(deps.store);
  ids.add(preview.id);
  const finish = async (next: StoredPreview): Promise<void> => {
    const current = await deps.store.repositories.get(repository);
    if (!current || lifecycleOf(current).lifecyclePreview?.id !== preview.id) return;
    await deps.store.repositories.update(repository, { ...current.details, lifecyclePreview: next });
  };
  setImmediate(() => {
    evaluate(deps, repository, preview.text)
      .then(
        (results) => finish({ ...preview, status: 'COMPLETE', results }),
        () => finish({ ...preview, status: 'FAILED', results: [] }),
      )
      // The repository was deleted meanwhile, or the store is closing: nothing is left to report to.
      .catch(() => undefined)
      .finally(() => ids.delete(preview.id));
  });
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

/**
 * Starts a preview as ECR does: it answers IN_PROGRESS, and the evaluation (what a run would
 * expire now) runs after the response; GetLifecyclePolicyPreview shows it COMPLETE once done. The
 * result stays until the next preview.
 */
export async function startLifecyclePolicyPreview(
  deps: LifecycleDeps,
  input: StartLifecyclePolicyPreviewRequest,
  context: RequestContext,
): Promise<StartLifecyclePolicyPreviewResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  const details = lifecycleOf(record);
  const text = input.lifecyclePolicyText ?? details.lifecyclePolicyText;
  if (text === undefined) throw noPolicy(record, context);
  validate(text);
  if (isEvaluating(deps, details.lifecyclePreview)) throw new LifecyclePolicyPreviewInProgressException();
  const preview = { id: crypto.randomUUID(), text, status: 'IN_PROGRESS' as const, results: [] };
  await deps.store.repositories.update(record.name, { ...record.details, lifecyclePreview: preview });
  evaluateLater(deps, record.name, preview);
  return {
    registryId: context.accountId,
    repositoryName: record.name,
    lifecyclePolicyText: text,
    status: 'IN_PROGRESS',
  };
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
  const about = { registryId: context.accountId, repositoryName: record.name, lifecyclePolicyText: preview.text };
  if (preview.status === 'IN_PROGRESS') {
    // Orphaned by a restart mid-evaluation (or stored without an id): evaluated again, from now.
    if (!isEvaluating(deps, preview)) {
      const again = { ...preview, id: crypto.randomUUID() };
      await deps.store.repositories.update(record.name, { ...record.details, lifecyclePreview: again });
      evaluateLater(deps, record.name, again);
    }
    return { ...about, status: 'IN_PROGRESS' };
  }
  if (preview.status === 'FAILED') return { ...about, status: 'FAILED' };
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
    ...about,
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
