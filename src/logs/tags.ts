import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { InvalidParameterException, ResourceNotFoundException, TooManyTagsException } from './errors.ts';
import { groupNameOfArn } from './names.ts';
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from './shapes.generated.ts';

/* Tags of log groups, the only taggable Logs resource Berth has (AWS also tags destinations). */

const MAX_TAGS = 50;

export function checkTags(tags: Readonly<Record<string, string>>): void {
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new TooManyTagsException(`A resource can have no more than ${MAX_TAGS} tags.`);
  }
  for (const key of Object.keys(tags)) {
    if (key.startsWith('aws:')) throw new InvalidParameterException(`Tag keys cannot start with 'aws:': '${key}'.`);
  }
}

function groupNameOf(resourceArn: string, context: RequestContext): string {
  if (!resourceArn.startsWith('arn:aws:logs:')) {
    throw new InvalidParameterException(`Invalid resource ARN: '${resourceArn}'.`);
  }
  const name = groupNameOfArn(resourceArn, context);
  if (name === undefined) throw new ResourceNotFoundException(`The specified resource does not exist: ${resourceArn}`);
  return name;
}

async function tagsOf(store: MetadataStore, groupName: string): Promise<Record<string, string>> {
  const group = await store.logs.getGroup(groupName);
  if (!group) throw ResourceNotFoundException.logGroup();
  return { ...group.tags };
}

async function addTags(store: MetadataStore, groupName: string, added: Readonly<Record<string, string>>) {
  const tags = { ...(await tagsOf(store, groupName)), ...added };
  checkTags(tags);
  if (!(await store.logs.setTags(groupName, tags))) throw ResourceNotFoundException.logGroup();
}

async function removeTags(store: MetadataStore, groupName: string, keys: readonly string[]) {
  const tags = await tagsOf(store, groupName);
  for (const key of keys) delete tags[key];
  if (!(await store.logs.setTags(groupName, tags))) throw ResourceNotFoundException.logGroup();
}

export async function tagResource(store: MetadataStore, input: TagResourceRequest, context: RequestContext) {
  await addTags(store, groupNameOf(input.resourceArn, context), input.tags);
}

export async function untagResource(store: MetadataStore, input: UntagResourceRequest, context: RequestContext) {
  await removeTags(store, groupNameOf(input.resourceArn, context), input.tagKeys);
}

export async function listTagsForResource(
  store: MetadataStore,
  input: ListTagsForResourceRequest,
  context: RequestContext,
): Promise<ListTagsForResourceResponse> {
  return { tags: await tagsOf(store, groupNameOf(input.resourceArn, context)) };
}

/** The older, deprecated tagging calls that name the group. */
export async function tagLogGroup(store: MetadataStore, input: TagLogGroupRequest): Promise<void> {
  await addTags(store, input.logGroupName, input.tags);
}

export async function untagLogGroup(store: MetadataStore, input: UntagLogGroupRequest): Promise<void> {
  await removeTags(store, input.logGroupName, input.tags);
}

export async function listTagsLogGroup(
  store: MetadataStore,
  input: ListTagsLogGroupRequest,
): Promise<ListTagsLogGroupResponse> {
  return { tags: await tagsOf(store, input.logGroupName) };
}
