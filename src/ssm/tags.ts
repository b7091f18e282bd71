import type { RequestContext } from '../shared/request-context.ts';
import type { SsmParameterRecord } from '../store/index.ts';
import { WRITE_ATTEMPTS, type SsmDeps } from './deps.ts';
import {
  InvalidResourceId,
  InvalidResourceType,
  TooManyTagsError,
  TooManyUpdates,
  ValidationException,
} from './errors.ts';
import { nameOf } from './names.ts';
import type {
  AddTagsToResourceRequest,
  AddTagsToResourceResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  RemoveTagsFromResourceRequest,
  RemoveTagsFromResourceResult,
  Tag,
} from './shapes.generated.ts';

/** A parameter holds at most 50 tags; keys are unique and "aws:" is AWS's. */
const MAX_TAGS = 50;

export function checkTags(tags: readonly Tag[]): void {
  const keys = tags.map((tag) => tag.Key);
  if (new Set(keys).size !== keys.length) throw new ValidationException('Tag keys must be unique.');
  if (keys.some((key) => key.toLowerCase().startsWith('aws:'))) {
    throw new ValidationException('Tag keys may not begin with "aws:": that prefix is reserved for AWS.');
  }
  if (tags.length > MAX_TAGS) throw new TooManyTagsError('A parameter can have at most 50 tags.');
}

export async function addTagsToResource(
  deps: SsmDeps,
  input: AddTagsToResourceRequest,
  context: RequestContext,
): Promise<AddTagsToResourceResult> {
  checkTags(input.Tags);
  await updateTags(deps, input, context, (tags) => {
    const merged = new Map(tags.map((tag) => [tag.Key, tag.Value]));
    for (const tag of input.Tags) merged.set(tag.Key, tag.Value);
    if (merged.size > MAX_TAGS) throw new TooManyTagsError('A parameter can have at most 50 tags.');
    return [...merged].map(([Key, Value]) => ({ Key, Value }));
  });
  return {};
}

export async function removeTagsFromResource(
  deps: SsmDeps,
  input: RemoveTagsFromResourceRequest,
  context: RequestContext,
): Promise<RemoveTagsFromResourceResult> {
  await updateTags(deps, input, context, (tags) => tags.filter((tag) => !input.TagKeys.includes(tag.Key)));
  return {};
}

export async function listTagsForResource(
  deps: SsmDeps,
  input: ListTagsForResourceRequest,
  context: RequestContext,
): Promise<ListTagsForResourceResult> {
  const record = await parameterOf(deps, input, context);
  return { TagList: record.tags.map((tag) => ({ ...tag })) };
}

async function updateTags(
  deps: SsmDeps,
  input: { ResourceType: string; ResourceId: string },
  context: RequestContext,
  change: (tags: SsmParameterRecord['tags']) => SsmParameterRecord['tags'],
): Promise<void> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const record = await parameterOf(deps, input, context);
    const next = { version: record.current.version, tags: change(record.tags) };
    if (await deps.store.ssm.write([{ name: record.name, expectRevision: record.revision, next }])) return;
  }
  throw new TooManyUpdates();
}

/** Berth's Parameter Store tags parameters only; an unknown one is InvalidResourceId, as on AWS. */
async function parameterOf(
  deps: SsmDeps,
  input: { ResourceType: string; ResourceId: string },
  context: RequestContext,
): Promise<SsmParameterRecord> {
  if (input.ResourceType !== 'Parameter') {
    throw new InvalidResourceType(`Berth's Systems Manager has parameters only, not ${input.ResourceType} resources.`);
  }
  const record = await deps.store.ssm.get(nameOf(input.ResourceId, context));
  if (!record)
    throw new InvalidResourceId('The resource ID is not valid. Verify that you entered the correct ID and try again.');
  return record;
}
