import { formatArn } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, RepositoryRecord } from '../store/index.ts';
import {
  InvalidParameterException,
  InvalidTagParameterException,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  TooManyTagsException,
} from './errors.ts';
import type { LayerUploads } from './layer-uploads.ts';
import type {
  CreateRepositoryRequest,
  CreateRepositoryResponse,
  DeleteRepositoryRequest,
  DeleteRepositoryResponse,
  DescribeRepositoriesRequest,
  DescribeRepositoriesResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  PutImageScanningConfigurationRequest,
  PutImageScanningConfigurationResponse,
  PutImageTagMutabilityRequest,
  PutImageTagMutabilityResponse,
  Repository,
  Tag,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from './shapes.generated.ts';

export interface RepositoryDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  /** host[:port] of the registry, written into repository URIs. */
  readonly registryHost: () => string;
  readonly uploads: Pick<LayerUploads, 'cancel'>;
}

export function checkRegistryId(registryId: string | undefined, context: RequestContext): void {
  if (registryId !== undefined && registryId !== context.accountId) {
    throw new InvalidParameterException(
      `Invalid parameter at 'registryId': this registry's id is '${context.accountId}'.`,
    );
  }
}

export async function createRepository(
  deps: RepositoryDeps,
  input: CreateRepositoryRequest,
  context: RequestContext,
): Promise<CreateRepositoryResponse> {
  checkRegistryId(input.registryId, context);
  const mutability = input.imageTagMutability ?? 'MUTABLE';
  const filters = input.imageTagMutabilityExclusionFilters;
  if (mutability.endsWith('_WITH_EXCLUSION') !== (filters !== undefined && filters.length > 0)) {
    throw new InvalidParameterException(
      'imageTagMutabilityExclusionFilters must be given with, and only with, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION.',
    );
  }
  const record: RepositoryRecord = {
    name: input.repositoryName,
    arn: formatArn('ecr', context, `repository/${input.repositoryName}`),
    createdAt: deps.clock.now(),
    details: {
      imageTagMutability: mutability,
      ...(filters ? { imageTagMutabilityExclusionFilters: filters } : {}),
      imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false },
      encryptionConfiguration: input.encryptionConfiguration ?? { encryptionType: 'AES256' },
      tags: input.tags ?? [],
    },
  };
  const { created } = await deps.store.repositories.insertIfAbsent(record);
  if (!created) {
    throw new RepositoryAlreadyExistsException(
      `The repository with name '${record.name}' already exists in the registry with id '${context.accountId}'`,
    );
  }
  return { repository: toRepository(deps, record, context) };
}

export async function describeRepositories(
  deps: RepositoryDeps,
  input: DescribeRepositoriesRequest,
  context: RequestContext,
): Promise<DescribeRepositoriesResponse> {
  checkRegistryId(input.registryId, context);
  if (input.repositoryNames) {
    if (input.nextToken !== undefined || input.maxResults !== undefined) {
      throw new InvalidParameterException('maxResults and nextToken cannot be used with repositoryNames.');
    }
    const found = new Map((await deps.store.repositories.getByNames(input.repositoryNames)).map((r) => [r.name, r]));
    const missing = input.repositoryNames.find((n) => !found.has(n));
    if (missing !== undefined) throw notFound(missing, context);
    return { repositories: input.repositoryNames.map((n) => toRepository(deps, found.get(n)!, context)) };
  }
  const limit = input.maxResults ?? 1000;
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken);
  const rows = await deps.store.repositories.list({ after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    repositories: page.map((r) => toRepository(deps, r, context)),
    ...(rows.length > limit ? { nextToken: Buffer.from(page.at(-1)!.name).toString('base64url') } : {}),
  };
}

export async function deleteRepository(
  deps: RepositoryDeps,
  input: DeleteRepositoryRequest,
  context: RequestContext,
): Promise<DeleteRepositoryResponse> {
  checkRegistryId(input.registryId, context);
  const record = await deps.store.repositories.get(input.repositoryName);
  if (!record) throw notFound(input.repositoryName, context);
  if (!input.force && (await deps.store.registry.listManifests(record.name)).length > 0) {
    throw new RepositoryNotEmptyException(
      `The repository with name '${record.name}' in registry with id '${context.accountId}' cannot be deleted because it still contains images`,
    );
  }
  for (const upload of await deps.store.registry.listUploads(record.name))
    await deps.uploads.cancel(record.name, upload.id);
  // Blob data no other repository links is left to the garbage collector.
  await deps.store.repositories.delete(record.name);
  return { repository: toRepository(deps, record, context) };
}

export function notFound(name: string, context: RequestContext): RepositoryNotFoundException {
  return new RepositoryNotFoundException(
    `The repository with name '${name}' does not exist in the registry with id '${context.accountId}'`,
  );
}

function decodeToken(token: string): string {
  const after = Buffer.from(token, 'base64url').toString('utf8');
  if (after === '') throw new InvalidParameterException('Invalid nextToken.');
  return after;
}

export function toRepository(
  deps: Pick<RepositoryDeps, 'registryHost'>,
  record: RepositoryRecord,
  context: RequestContext,
): Repository {
  const details = record.details as Partial<Repository>;
  return {
    repositoryArn: record.arn,
    registryId: context.accountId,
    repositoryName: record.name,
    repositoryUri: `${deps.registryHost()}/${record.name}`,
    createdAt: record.createdAt,
    imageTagMutability: details.imageTagMutability ?? 'MUTABLE',
    ...(details.imageTagMutabilityExclusionFilters
      ? { imageTagMutabilityExclusionFilters: details.imageTagMutabilityExclusionFilters }
      : {}),
    imageScanningConfiguration: details.imageScanningConfiguration ?? { scanOnPush: false },
    encryptionConfiguration: details.encryptionConfiguration ?? { encryptionType: 'AES256' },
  };
}

/** The repository name an ECR repository ARN names (arn:aws:ecr:REGION:ACCOUNT:repository/NAME). */
export function repositoryNameOfArn(arn: string, context: RequestContext): string {
  const prefix = `arn:aws:ecr:${context.region}:${context.accountId}:repository/`;
  if (!arn.startsWith(prefix) || arn.length === prefix.length) {
    throw new InvalidParameterException(
      `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: ${arn}'`,
    );
  }
  return arn.slice(prefix.length);
}

export async function requireRepositoryRecord(
  deps: Pick<RepositoryDeps, 'store'>,
  name: string,
  context: RequestContext,
): Promise<RepositoryRecord> {
  const record = await deps.store.repositories.get(name);
  if (!record) throw notFound(name, context);
  return record;
}

export async function putImageTagMutability(
  deps: RepositoryDeps,
  input: PutImageTagMutabilityRequest,
  context: RequestContext,
): Promise<PutImageTagMutabilityResponse> {
  checkRegistryId(input.registryId, context);
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  const filters = input.imageTagMutabilityExclusionFilters;
  if (input.imageTagMutability.endsWith('_WITH_EXCLUSION') !== (filters !== undefined && filters.length > 0)) {
    throw new InvalidParameterException(
      'imageTagMutabilityExclusionFilters must be given with, and only with, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION.',
    );
  }
  const { imageTagMutabilityExclusionFilters: _old, ...rest } = record.details as Record<string, unknown>;
  void _old;
  await deps.store.repositories.update(record.name, {
    ...rest,
    imageTagMutability: input.imageTagMutability,
    ...(filters ? { imageTagMutabilityExclusionFilters: filters } : {}),
  });
  return {
    registryId: context.accountId,
    repositoryName: record.name,
    imageTagMutability: input.imageTagMutability,
    ...(filters ? { imageTagMutabilityExclusionFilters: filters } : {}),
  };
}

export async function putImageScanningConfiguration(
  deps: RepositoryDeps,
  input: PutImageScanningConfigurationRequest,
  context: RequestContext,
): Promise<PutImageScanningConfigurationResponse> {
  checkRegistryId(input.registryId, context);
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  await deps.store.repositories.update(record.name, {
    ...record.details,
    imageScanningConfiguration: input.imageScanningConfiguration,
  });
  return {
    registryId: context.accountId,
    repositoryName: record.name,
    imageScanningConfiguration: input.imageScanningConfiguration,
  };
}

const MAX_TAGS = 50;

export async function tagResource(
  deps: RepositoryDeps,
  input: TagResourceRequest,
  context: RequestContext,
): Promise<TagResourceResponse> {
  const record = await requireRepositoryRecord(deps, repositoryNameOfArn(input.resourceArn, context), context);
  for (const tag of input.tags) {
    if (tag.Key.startsWith('aws:'))
      throw new InvalidTagParameterException("Tag keys may not start with 'aws:', which AWS reserves.");
  }
  const current = new Map(((record.details.tags ?? []) as Tag[]).map((t) => [t.Key, t.Value]));
  for (const tag of input.tags) current.set(tag.Key, tag.Value);
  if (current.size > MAX_TAGS) throw new TooManyTagsException(`A repository can have at most ${MAX_TAGS} tags.`);
  await deps.store.repositories.update(record.name, {
    ...record.details,
    tags: [...current].map(([Key, Value]) => ({ Key, Value })),
  });
  return {};
}

export async function untagResource(
  deps: RepositoryDeps,
  input: UntagResourceRequest,
  context: RequestContext,
): Promise<UntagResourceResponse> {
  const record = await requireRepositoryRecord(deps, repositoryNameOfArn(input.resourceArn, context), context);
  const remove = new Set(input.tagKeys);
  await deps.store.repositories.update(record.name, {
    ...record.details,
    tags: ((record.details.tags ?? []) as Tag[]).filter((t) => !remove.has(t.Key)),
  });
  return {};
}

export async function listTagsForResource(
  deps: RepositoryDeps,
  input: ListTagsForResourceRequest,
  context: RequestContext,
): Promise<ListTagsForResourceResponse> {
  const record = await requireRepositoryRecord(deps, repositoryNameOfArn(input.resourceArn, context), context);
  return { tags: (record.details.tags ?? []) as Tag[] };
}
