import { parseArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { clusterNameOf } from './clusters.ts';
import {
  ClusterNotFoundException,
  InvalidParameterException,
  ResourceNotFoundException,
  ServiceNotFoundException,
  TaskSetNotFoundException,
} from './errors.ts';
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from './shapes.generated.ts';
import { parseTaskDefinitionReference } from './task-definitions.ts';

const MAX_TAGS = 50;

/** Reads and writes the tags of a taggable ECS resource (clusters, task definitions, services, task sets, tasks, container instances, capacity providers). */
interface Tagged {
  readonly tags: readonly Tag[];
  save(tags: readonly Tag[]): Promise<void>;
}

type Resolver = (store: MetadataStore, arn: string, resource: string) => Promise<Tagged>;

/** How to read and write the tags of each kind of taggable ARN (its resource type). */
const RESOLVERS: Readonly<Record<string, Resolver>> = {
  cluster: async (store, arn) => {
    const [record] = await store.clusters.getByNames([clusterNameOf(arn)]);
    if (!record || record.status !== 'ACTIVE')
      throw new ClusterNotFoundException('The specified cluster could not be found.');
    return {
      tags: (record.details.tags ?? []) as Tag[],
      save: (tags) => store.clusters.update({ ...record, details: { ...record.details, tags } }),
    };
  },
  'task-definition': async (store, arn) => {
    const { family, revision } = parseTaskDefinitionReference(arn);
    const record = revision === undefined ? undefined : await store.taskDefinitions.get(family, revision);
    if (!record || record.status === 'DELETE_IN_PROGRESS')
      throw new ResourceNotFoundException('The specified task definition could not be found.');
    return { tags: record.tags, save: (tags) => store.taskDefinitions.update({ ...record, tags }) };
  },
  service: async (store, arn, resource) => {
    const [, cluster, name] = resource.split('/');
    const [record] = await store.services.get(cluster ?? '', [name ?? '']);
    if (!record || record.status === 'INACTIVE')
      throw new ServiceNotFoundException('The specified service could not be found.');
    return {
      tags: (record.body.tags ?? []) as Tag[],
      // Compare-and-set from a fresh read each time: the service scheduler writes services too.
      save: async (tags) => {
        for (let current = record; ;) {
          if (await store.services.replace(current, { ...current, body: { ...current.body, tags } })) return;
          const [fresh] = await store.services.get(current.cluster, [current.name]);
          if (!fresh) return;
          current = fresh;
        }
      },
    };
  },
  // task-set/CLUSTER/SERVICE/ecs-svc/ID: kept in its service's body (task-sets.ts).
  'task-set': async (store, arn, resource) => {
    const [, cluster, name] = resource.split('/');
    const [record] = await store.services.get(cluster ?? '', [name ?? '']);
    const setsOf = (body: Record<string, unknown>) => (body.taskSets ?? []) as { taskSetArn?: string; tags?: Tag[] }[];
    const set =
      record && record.status !== 'INACTIVE' ? setsOf(record.body).find((s) => s.taskSetArn === arn) : undefined;
    if (!record || !set) throw new TaskSetNotFoundException();
    return {
      tags: set.tags ?? [],
      save: async (tags) => {
        for (let current = record; ;) {
          const taskSets = setsOf(current.body).map((s) => (s.taskSetArn === arn ? { ...s, tags } : s));
          if (await store.services.replace(current, { ...current, body: { ...current.body, taskSets } })) return;
          const [fresh] = await store.services.get(current.cluster, [current.name]);
          if (!fresh) return;
          current = fresh;
        }
      },
    };
  },
  task: async (store, arn, resource) => {
    const [, cluster, id] = resource.split('/');
    const [record] = await store.tasks.get(cluster ?? '', [id ?? '']);
    if (!record) throw new InvalidParameterException('The specified task could not be found.');
    return {
      tags: (record.body.tags ?? []) as Tag[],
      save: (tags) => store.tasks.update({ ...record, body: { ...record.body, tags } }),
    };
  },
  'container-instance': async (store, arn, resource) => {
    const [, cluster, id] = resource.split('/');
    const [record] = await store.containerInstances.get(cluster ?? '', [id ?? '']);
    if (!record || record.status === 'INACTIVE')
      throw new InvalidParameterException('The specified container instance could not be found.');
    return {
      tags: (record.body.tags ?? []) as Tag[],
      save: (tags) => store.containerInstances.put({ ...record, body: { ...record.body, tags } }),
    };
  },
  'capacity-provider': async (store, arn, resource) => {
    const [record] = await store.capacityProviders.get([resource.slice('capacity-provider/'.length)]);
    if (!record || record.status !== 'ACTIVE')
      throw new ResourceNotFoundException('The specified capacity provider could not be found.');
    return {
      tags: (record.body.tags ?? []) as Tag[],
      save: (tags) => store.capacityProviders.update({ ...record, body: { ...record.body, tags } }),
    };
  },
};

async function resolve(store: MetadataStore, arn: string, context: RequestContext): Promise<Tagged> {
  const parsed = parseArn(arn);
  if (
    !parsed ||
    parsed.service !== 'ecs' ||
    parsed.accountId !== context.accountId ||
    parsed.region !== context.region
  ) {
    throw new InvalidParameterException(`Invalid resource ARN: '${arn}'.`);
  }
  const kind = parsed.resource.split('/')[0]!;
  const resolver = RESOLVERS[kind];
  if (resolver) return resolver(store, arn, parsed.resource);
  throw new InvalidParameterException(`Berth cannot tag this kind of resource yet: '${arn}'.`);
}

export async function tagResource(
  store: MetadataStore,
  input: TagResourceRequest,
  context: RequestContext,
): Promise<TagResourceResponse> {
  const target = await resolve(store, input.resourceArn, context);
  const tags = new Map(target.tags.map((t) => [t.key, t.value]));
  for (const tag of input.tags) {
    if (tag.key?.toLowerCase().startsWith('aws:'))
      throw new InvalidParameterException("Tag keys may not start with 'aws:', which AWS reserves.");
    tags.set(tag.key, tag.value);
  }
  if (tags.size > MAX_TAGS) throw new InvalidParameterException(`A resource can have at most ${MAX_TAGS} tags.`);
  await target.save([...tags].map(([key, value]) => ({ key, value })));
  return {};
}

export async function untagResource(
  store: MetadataStore,
  input: UntagResourceRequest,
  context: RequestContext,
): Promise<UntagResourceResponse> {
  const target = await resolve(store, input.resourceArn, context);
  const remove = new Set(input.tagKeys);
  await target.save(target.tags.filter((t) => !remove.has(t.key ?? '')));
  return {};
}

export async function listTagsForResource(
  store: MetadataStore,
  input: ListTagsForResourceRequest,
  context: RequestContext,
): Promise<ListTagsForResourceResponse> {
  return { tags: [...(await resolve(store, input.resourceArn, context)).tags] };
}
