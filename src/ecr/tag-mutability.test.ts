import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTagImmutable } from './tag-mutability.ts';

describe('isTagImmutable', () => {
  const filters = [
    { filterType: 'WILDCARD', filter: 'latest' },
    { filterType: 'WILDCARD', filter: 'dev-*' },
  ];
  const cases: [string, Parameters<typeof isTagImmutable>[0], string, boolean][] = [
    ['MUTABLE', { imageTagMutability: 'MUTABLE' }, 'v1', false],
    ['no setting', {}, 'v1', false],
    ['IMMUTABLE', { imageTagMutability: 'IMMUTABLE' }, 'v1', true],
    [
      'IMMUTABLE_WITH_EXCLUSION, excluded tag',
      { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters },
      'dev-42',
      false,
    ],
    [
      'IMMUTABLE_WITH_EXCLUSION, other tag',
      { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters },
      'v1',
      true,
    ],
    [
      'MUTABLE_WITH_EXCLUSION, excluded tag',
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters },
      'latest',
      true,
    ],
    [
      'MUTABLE_WITH_EXCLUSION, other tag',
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters },
      'latest-1',
      false,
    ],
    [
      'a filter with regex characters is literal',
      { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filter: 'v1.0' }] },
      'v1x0',
      false,
    ],
  ];
  for (const [what, settings, tag, expected] of cases) {
    it(`${what}: ${tag} → ${expected ? 'immutable' : 'mutable'}`, () =>
      assert.equal(isTagImmutable(settings, tag), expected));
  }
});
