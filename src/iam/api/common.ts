import type { IamDirectory } from '../directory.ts';
import { InvalidInputException, LimitExceededException, NoSuchEntityException, ValidationError } from '../errors.ts';
import type { IamEntity, IamGroup, IamRole, IamUser, InstanceProfile, ManagedPolicy, Tag } from '../model/entities.ts';

/** What the IAM operations work with: the directory holds every entity and writes through to the store. */
export interface IamDeps {
  readonly directory: IamDirectory;
}

const DEFAULT_MAX_ITEMS = 100;

/**
 * IAM's Marker/MaxItems paging over a list in key order: the marker is the last key returned,
 * opaque to the caller (base64url), so a page stays right when entities come and go between calls.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: { Marker?: string | undefined; MaxItems?: number | undefined },
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const size = input.MaxItems ?? DEFAULT_MAX_ITEMS;
  let start = 0;
  if (input.Marker !== undefined) {
    const after = Buffer.from(input.Marker, 'base64url').toString('utf8');
    if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== input.Marker)
      throw new ValidationError('Invalid Marker.');
    start = items.findIndex((item) => keyOf(item) > after);
    if (start === -1) start = items.length;
  }
  const page = items.slice(start, start + size);
  if (start + size >= items.length) return { page, IsTruncated: false };
  return { page, IsTruncated: true, Marker: Buffer.from(keyOf(page.at(-1)!), 'utf8').toString('base64url') };
}

/** Entities whose path starts with the prefix (all of them without one). */
export function underPath<T extends { path: string }>(items: readonly T[], prefix: string | undefined): T[] {
  return prefix === undefined ? [...items] : items.filter((item) => item.path.startsWith(prefix));
}

export function requireUser(directory: IamDirectory, name: string): IamUser {
  const user = directory.user(name);
  if (!user) throw NoSuchEntityException.of('user', name);
  return user;
}

export function requireGroup(directory: IamDirectory, name: string): IamGroup {
  const group = directory.group(name);
  if (!group) throw NoSuchEntityException.of('group', name);
  return group;
}

export function requireRole(directory: IamDirectory, name: string): IamRole {
  const role = directory.role(name);
  if (!role) throw NoSuchEntityException.of('role', name);
  return role;
}

export function requireInstanceProfile(directory: IamDirectory, name: string): InstanceProfile {
  const profile = directory.instanceProfile(name);
  if (!profile) throw new NoSuchEntityException(`Instance Profile ${name} cannot be found.`);
  return profile;
}

export function requirePolicy(directory: IamDirectory, arn: string): ManagedPolicy {
  const policy = directory.policy(arn);
  if (!policy) throw new NoSuchEntityException(`Policy ${arn} was not found.`);
  return policy;
}

/** A managed policy to attach (or use as a boundary): IAM's wording differs from a lookup's. */
export function requireAttachable(directory: IamDirectory, arn: string): ManagedPolicy {
  const policy = directory.policy(arn);
  if (!policy) throw new NoSuchEntityException(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

const MAX_TAGS = 50;

/** Tags as given on create or TagX: at most 50, keys unique regardless of case. */
export function checkTags(tags: readonly Tag[] | undefined): Tag[] {
  const list = (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  const keys = new Set(list.map((t) => t.Key.toLowerCase()));
  if (keys.size !== list.length)
    throw new InvalidInputException('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  if (list.length > MAX_TAGS) throw LimitExceededException.quota('TagsPerResource', MAX_TAGS);
  return list;
}

/** Existing tags with these put over them (same key, regardless of case, is replaced). */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = checkTags(added);
  const addedKeys = new Set(merged.map((t) => t.Key.toLowerCase()));
  const result = [...existing.filter((t) => !addedKeys.has(t.Key.toLowerCase())), ...merged];
  if (result.length > MAX_TAGS) throw LimitExceededException.quota('TagsPerResource', MAX_TAGS);
  return result;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const removed = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !removed.has(t.Key.toLowerCase()));
}

/** Tags in key order, for paging. */
export function sortedTags(tags: readonly Tag[]): Tag[] {
  return [...tags].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
}

type Tagged = IamEntity & { readonly tags: readonly Tag[] };

/** Tag{User,Role,Policy,InstanceProfile}: the entity `find` names (or its error), `tags` merged in. */
export async function tagEntity(directory: IamDirectory, find: () => Tagged, tags: readonly Tag[]): Promise<void> {
  await directory.update(() => {
    const entity = find();
    return { changes: { put: [{ ...entity, tags: mergeTags(entity.tags, tags) }] }, result: undefined };
  });
}

/** Untag{User,Role,Policy,InstanceProfile}: the entity `find` names, without the tags `keys` name. */
export async function untagEntity(directory: IamDirectory, find: () => Tagged, keys: readonly string[]): Promise<void> {
  await directory.update(() => {
    const entity = find();
    return { changes: { put: [{ ...entity, tags: removeTags(entity.tags, keys) }] }, result: undefined };
  });
}

/** List{User,Role,Policy,InstanceProfile}Tags: the tags in key order, a page at a time. */
export function tagPage(
  tags: readonly Tag[],
  input: { Marker?: string | undefined; MaxItems?: number | undefined },
): { Tags: Tag[]; IsTruncated: boolean; Marker?: string } {
  const { page, ...more } = paginate(sortedTags(tags), (t) => t.Key, input);
  return { Tags: page, ...more };
}

/** Tags in answers: omitted when there are none, as IAM omits them. */
export function tagsOut(tags: readonly Tag[]): { Tags?: Tag[] } {
  return tags.length === 0 ? {} : { Tags: [...tags] };
}

/** IAM's paths: `/`, or `/` + segments each ending in `/` (the model checks the characters). */
export function checkPath(path: string | undefined): string {
  const value = path ?? '/';
  if (!value.startsWith('/') || !value.endsWith('/') || value.includes('//'))
    throw new ValidationError(
      `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    );
  return value;
}

/** The account's users, groups and roles holding a managed policy count as its attachments. */
export function attachmentCount(directory: IamDirectory, arn: string): number {
  return directory.attachmentsOf(arn).length;
}

/** A copy without one member (a boundary removed, an inline policy deleted). */
export function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  Reflect.deleteProperty(copy, key);
  return copy;
}
