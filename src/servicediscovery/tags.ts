import type { ArnScope } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { CloudMapTag, StoredNamespace, StoredService } from '../store/index.ts';
import { WRITE_ATTEMPTS, type ServiceDiscoveryDeps } from './deps.ts';
import { InvalidInput, RequestLimitExceeded, ResourceNotFoundException, TooManyTagsException } from './errors.ts';
import { idOf } from './ids.ts';
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from './shapes.generated.ts';

/* Tags of namespaces and services: at most 50 a resource, keys unique, "aws:" is AWS's. */

const MAX_TAGS = 50;

export function checkTags(tags: readonly Tag[], resource: string): void {
  const keys = tags.map((tag) => tag.Key);
  if (new Set(keys).size !== keys.length) throw new InvalidInput('Tag keys must be unique.');
  if (keys.some((key) => key.toLowerCase().startsWith('aws:'))) {
    throw new InvalidInput('Tag keys may not begin with "aws:": that prefix is reserved for AWS.');
  }
  if (tags.length > MAX_TAGS) throw TooManyTagsException.of(resource);
}

export async function tagResource(
  deps: ServiceDiscoveryDeps,
  input: TagResourceRequest,
  context: RequestContext,
): Promise<TagResourceResponse> {
  checkTags(input.Tags, input.ResourceARN);
  await updateTags(deps, input.ResourceARN, context, (tags) => {
    const merged = new Map(tags.map((tag) => [tag.Key, tag.Value]));
    for (const tag of input.Tags) merged.set(tag.Key, tag.Value);
    if (merged.size > MAX_TAGS) throw TooManyTagsException.of(input.ResourceARN);
    return [...merged].map(([Key, Value]) => ({ Key, Value }));
  });
  return {};
}

export async function untagResource(
  deps: ServiceDiscoveryDeps,
  input: UntagResourceRequest,
  context: RequestContext,
): Promise<UntagResourceResponse> {
  await updateTags(deps, input.ResourceARN, context, (tags) => tags.filter((tag) => !input.TagKeys.includes(tag.Key)));
  return {};
}

export async function listTagsForResource(
  deps: ServiceDiscoveryDeps,
  input: ListTagsForResourceRequest,
  context: RequestContext,
): Promise<ListTagsForResourceResponse> {
  const { record } = await resourceOf(deps, input.ResourceARN, context);
  return { Tags: record.details.tags.map((tag) => ({ ...tag })) };
}

async function updateTags(
  deps: ServiceDiscoveryDeps,
  arn: string,
  scope: ArnScope,
  change: (tags: readonly CloudMapTag[]) => CloudMapTag[],
): Promise<void> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const resource = await resourceOf(deps, arn, scope);
    const { record } = resource;
    const update = { id: record.id, expectRevision: record.revision };
    const tags = change(record.details.tags);
    const written =
      resource.kind === 'namespace'
        ? await repository.write({
            namespaces: [{ ...update, next: { ...resource.record, details: { ...resource.record.details, tags } } }],
          })
        : await repository.write({
            services: [{ ...update, next: { ...resource.record, details: { ...resource.record.details, tags } } }],
          });
    if (written) return;
  }
  throw new RequestLimitExceeded();
}

/** The namespace or service a ResourceARN names, or ResourceNotFoundException. */
async function resourceOf(
  deps: ServiceDiscoveryDeps,
  arn: string,
  scope: ArnScope,
): Promise<{ kind: 'namespace'; record: StoredNamespace } | { kind: 'service'; record: StoredService }> {
  const repository = deps.store.serviceDiscovery;
  if (arn.startsWith('arn:')) {
    const namespaceId = idOf(arn, 'namespace', scope);
    const namespace = namespaceId === undefined ? undefined : await repository.namespace(namespaceId);
    if (namespace) return { kind: 'namespace', record: namespace };
    const serviceId = idOf(arn, 'service', scope);
    const service = serviceId === undefined ? undefined : await repository.service(serviceId);
    if (service) return { kind: 'service', record: service };
  }
  throw new ResourceNotFoundException();
}
