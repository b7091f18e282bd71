import type { AutoScalingDeps } from './deps.ts';
import { ResourceNotFoundException, TooManyTagsException, ValidationException } from './errors.ts';
import { asBody, bodyOf, type StoredTarget } from './records.ts';
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from './shapes.generated.ts';

/* Tags on scalable targets (the only taggable Application Auto Scaling resource), by target ARN. */

const MAX_TAGS = 50;

export function checkTags(tags: Readonly<Record<string, string>> | undefined): void {
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.length < 1 || key.length > 128 || key.startsWith('aws:'))
      throw new ValidationException(`Tag key ${key} is not valid: 1 to 128 characters, not starting with aws:`);
    if (value.length > 256) throw new ValidationException(`The value of tag ${key} is longer than 256 characters`);
  }
  if (Object.keys(tags ?? {}).length > MAX_TAGS)
    throw new TooManyTagsException(`A resource has at most ${MAX_TAGS} tags`);
}

async function findTarget(deps: AutoScalingDeps, arn: string) {
  const record = (await deps.store.applicationAutoScaling.list('target')).find(
    (r) => bodyOf<StoredTarget>(r).arn === arn,
  );
  if (!record) throw new ResourceNotFoundException(`No scalable target found for ARN ${arn}`);
  return { record, target: bodyOf<StoredTarget>(record) };
}

async function changeTags(
  deps: AutoScalingDeps,
  arn: string,
  change: (tags: Record<string, string>) => Record<string, string>,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { record, target } = await findTarget(deps, arn);
    const tags = change({ ...target.tags });
    checkTags(tags);
    const written = await deps.store.applicationAutoScaling.write(
      {
        kind: 'target',
        id: record.id,
        target: record.target,
        createdAt: record.createdAt,
        body: asBody({ ...target, tags }),
      },
      { expectRevision: record.revision },
    );
    if (written) return;
  }
  throw new ValidationException('The scalable target is being changed by another request.');
}

export async function tagResource(deps: AutoScalingDeps, input: TagResourceRequest): Promise<TagResourceResponse> {
  await changeTags(deps, input.ResourceARN, (tags) => ({ ...tags, ...input.Tags }));
  return {};
}

export async function untagResource(
  deps: AutoScalingDeps,
  input: UntagResourceRequest,
): Promise<UntagResourceResponse> {
  await changeTags(deps, input.ResourceARN, (tags) => {
    for (const key of input.TagKeys) delete tags[key];
    return tags;
  });
  return {};
}

export async function listTagsForResource(
  deps: AutoScalingDeps,
  input: ListTagsForResourceRequest,
): Promise<ListTagsForResourceResponse> {
  return { Tags: { ...(await findTarget(deps, input.ResourceARN)).target.tags } };
}
