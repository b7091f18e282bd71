import type { KmsDeps } from './deps.ts';
import { checkKeyPolicy, customerManaged } from './keys.ts';
import { InvalidMarkerException, NotFoundException, TagException } from './errors.ts';
import type {
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
  ListKeyPoliciesRequest,
  ListKeyPoliciesResponse,
  ListResourceTagsRequest,
  ListResourceTagsResponse,
  PutKeyPolicyRequest,
  TagResourceRequest,
  UntagResourceRequest,
} from './shapes.generated.ts';

/* A key's policy (one, named "default") and its tags. */

const MAX_TAGS = 50;

function policyName(name: string | undefined): string {
  if (name !== undefined && name !== 'default') throw new NotFoundException('No such policy exists');
  return 'default';
}

export async function getKeyPolicy(deps: KmsDeps, input: GetKeyPolicyRequest): Promise<GetKeyPolicyResponse> {
  policyName(input.PolicyName);
  const key = await deps.keyRing.find(input.KeyId);
  return { Policy: key.policy, PolicyName: 'default' };
}

export async function putKeyPolicy(deps: KmsDeps, input: PutKeyPolicyRequest): Promise<void> {
  policyName(input.PolicyName);
  checkKeyPolicy(deps, input.Policy);
  await deps.keyRing.update(input.KeyId, (key) => {
    customerManaged(key);
    return { ...key, policy: input.Policy };
  });
}

export async function listKeyPolicies(deps: KmsDeps, input: ListKeyPoliciesRequest): Promise<ListKeyPoliciesResponse> {
  await deps.keyRing.find(input.KeyId);
  return { PolicyNames: ['default'], Truncated: false };
}

export async function tagResource(deps: KmsDeps, input: TagResourceRequest): Promise<void> {
  await deps.keyRing.update(input.KeyId, (key) => {
    customerManaged(key);
    const tags = new Map(key.tags.map((tag) => [tag.TagKey, tag.TagValue]));
    for (const tag of input.Tags) tags.set(tag.TagKey, tag.TagValue);
    if (tags.size > MAX_TAGS) throw new TagException(`A KMS key can have at most ${MAX_TAGS} tags.`);
    return { ...key, tags: [...tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
  });
}

export async function untagResource(deps: KmsDeps, input: UntagResourceRequest): Promise<void> {
  await deps.keyRing.update(input.KeyId, (key) => {
    customerManaged(key);
    const removed = new Set(input.TagKeys);
    return { ...key, tags: key.tags.filter((tag) => !removed.has(tag.TagKey)) };
  });
}

/** Tags in the order they were set; the marker is the index of the next one. */
export async function listResourceTags(
  deps: KmsDeps,
  input: ListResourceTagsRequest,
): Promise<ListResourceTagsResponse> {
  const key = await deps.keyRing.find(input.KeyId);
  const start = input.Marker === undefined ? 0 : Number(input.Marker);
  if (!Number.isInteger(start) || start < 0 || start > key.tags.length)
    throw new InvalidMarkerException('Invalid marker');
  const limit = input.Limit ?? 50;
  const page = key.tags.slice(start, start + limit);
  const truncated = start + limit < key.tags.length;
  return {
    Tags: page.map((tag) => ({ TagKey: tag.TagKey, TagValue: tag.TagValue })),
    Truncated: truncated,
    ...(truncated ? { NextMarker: String(start + limit) } : {}),
  };
}
