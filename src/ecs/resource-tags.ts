import { parseArn } from '../shared/arn.ts';
import type { MetadataStore } from '../store/index.ts';
import { parseTaskDefinitionReference } from './task-definitions.ts';

type Tags = Readonly<Record<string, string>>;

function tagsOf(list: unknown): Tags {
  const tags: Record<string, string> = {};
  for (const tag of Array.isArray(list) ? (list as { key?: unknown; value?: unknown }[]) : []) {
    if (typeof tag.key === 'string') tags[tag.key] = typeof tag.value === 'string' ? tag.value : '';
  }
  return tags;
}

/** A record's tags ([] when it has none), null when there is no record. */
function found<T>(record: T | undefined, tags: (record: T) => unknown): unknown {
  return record === undefined ? null : (tags(record) ?? []);
}

type Reader = (store: MetadataStore, arn: string, path: readonly string[]) => Promise<unknown>;

/** Where each kind of ARN keeps its tags (tags.ts writes them there). */
const READERS: Readonly<Record<string, Reader>> = {
  cluster: async (store, arn, [name = '']) =>
    found((await store.clusters.getByNames([name]))[0], (r) => r.details.tags),
  'task-definition': async (store, arn, path) => {
    const { family, revision } = parseTaskDefinitionReference(path.join('/'));
    return revision === undefined ? null : found(await store.taskDefinitions.get(family, revision), (r) => r.tags);
  },
  service: async (store, arn, [cluster = '', name = '']) =>
    found((await store.services.get(cluster, [name]))[0], (r) => r.body.tags),
  'task-set': async (store, arn, [cluster = '', name = '']) => {
    const [record] = await store.services.get(cluster, [name]);
    const sets = (record?.body.taskSets ?? []) as { taskSetArn?: string; tags?: unknown }[];
    const set = sets.find((s) => s.taskSetArn === arn);
    return set ? (set.tags ?? []) : null;
  },
  task: async (store, arn, [cluster = '', id = '']) =>
    found((await store.tasks.get(cluster, [id]))[0], (r) => r.body.tags),
  'container-instance': async (store, arn, [cluster = '', id = '']) =>
    found((await store.containerInstances.get(cluster, [id]))[0], (r) => r.body.tags),
  'capacity-provider': async (store, arn, [name = '']) =>
    found((await store.capacityProviders.get([name]))[0], (r) => r.body.tags),
};

/**
 * The current tags of an ECS resource by ARN (aws:ResourceTag/* and ecs:ResourceTag/*), read from
 * where the store keeps them; undefined for an ARN that is not ECS's or names no resource.
 * Read-only, for the access control, which asks only when a policy tests them.
 */
export function ecsResourceTags(store: MetadataStore) {
  return async (resourceArn: string): Promise<Tags | undefined> => {
    const parsed = parseArn(resourceArn);
    if (parsed?.service !== 'ecs') return undefined;
    const [kind = '', ...path] = parsed.resource.split('/');
    const reader = READERS[kind];
    // null: no such resource; a record without tags has none (undefined → []).
    const tags = reader ? await reader(store, resourceArn, path) : null;
    return tags === null ? undefined : tagsOf(tags);
  };
}
