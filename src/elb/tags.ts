import { DuplicateTagKeysException, TooManyTagsException } from './errors.ts';
import type { Tag } from './shapes.generated.ts';

/** ELBv2 allows 50 tags per resource. */
export const MAX_TAGS = 50;

export function checkNewTags(tags: readonly Tag[] | undefined): Tag[] {
  const given = tags ?? [];
  const keys = new Set<string>();
  for (const tag of given) {
    if (keys.has(tag.Key)) throw new DuplicateTagKeysException(`Tag key '${tag.Key}' is duplicated`);
    keys.add(tag.Key);
  }
  if (given.length > MAX_TAGS) throw new TooManyTagsException(`Number of tags exceeds the limit of ${MAX_TAGS}`);
  return given.map((t) => ({ Key: t.Key, ...(t.Value !== undefined ? { Value: t.Value } : {}) }));
}

/** Existing tags with these added or replaced (by key). */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.Key, t]));
  for (const tag of checkNewTags(added)) merged.set(tag.Key, tag);
  if (merged.size > MAX_TAGS) throw new TooManyTagsException(`Number of tags exceeds the limit of ${MAX_TAGS}`);
  return [...merged.values()];
}
