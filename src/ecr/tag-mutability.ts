import { compileWildcard } from '../shared/wildcard.ts';

/** ECR's tag mutability settings, as stored in a repository's details. */
export interface TagMutabilitySettings {
  readonly imageTagMutability?: string;
  readonly imageTagMutabilityExclusionFilters?: readonly { filterType?: string; filter?: string }[];
}

/**
 * Whether an existing tag may not be moved to another image. IMMUTABLE_WITH_EXCLUSION makes the
 * tags matching a filter mutable; MUTABLE_WITH_EXCLUSION makes them immutable. Filters are
 * WILDCARD patterns where `*` matches any run of characters.
 */
export function isTagImmutable(settings: TagMutabilitySettings, tag: string): boolean {
  const matches = (settings.imageTagMutabilityExclusionFilters ?? []).some((f) =>
    compileWildcard(f.filter ?? '').test(tag),
  );
  switch (settings.imageTagMutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matches;
    case 'MUTABLE_WITH_EXCLUSION':
      return matches;
    default:
      return false;
  }
}
