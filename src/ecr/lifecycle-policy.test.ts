import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imagesToExpire, LifecyclePolicyError, parseLifecyclePolicy, type LifecycleImage } from './lifecycle-policy.ts';

const now = new Date('2026-06-30T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
const image = (digest: string, age: number, ...tags: string[]): LifecycleImage => ({
  digest,
  tags,
  pushedAt: daysAgo(age),
});
const policy = (...rules: object[]) => parseLifecyclePolicy(JSON.stringify({ rules }));
const rule = (rulePriority: number, selection: object) => ({ rulePriority, selection, action: { type: 'expire' } });
const expire = (images: LifecycleImage[], p: ReturnType<typeof policy>) =>
  imagesToExpire(images, p, now).map((e) => `${e.digest}@${e.rulePriority}`);

describe('imagesToExpire', () => {
  it('imageCountMoreThan keeps the N youngest of the selection and expires the rest, oldest first', () => {
    const images = [image('a', 1, 'prod-1'), image('b', 2, 'prod-2'), image('c', 3, 'prod-3'), image('d', 4, 'dev')];
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    assert.deepEqual(expire(images, p), ['c@1', 'b@1']); // dev is not selected; a is the youngest prod
  });

  it('sinceImagePushed expires what was pushed more than N days ago', () => {
    const images = [image('new', 13), image('old', 15), image('older', 30)];
    const p = policy(
      rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
    );
    assert.deepEqual(expire(images, p), ['older@1', 'old@1']);
  });

  it('tagPrefixList and tagPatternList need every entry matched by some tag', () => {
    const images = [
      image('both', 9, 'prod', 'beta-2'),
      image('prod-only', 8, 'prod'),
      image('pattern', 7, 'release-1.2'),
    ];
    const prefixes = policy(
      rule(1, {
        tagStatus: 'tagged',
        tagPrefixList: ['prod', 'beta'],
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 1,
      }),
    );
    assert.deepEqual(expire(images, prefixes), ['both@1']);
    const patterns = policy(
      rule(1, {
        tagStatus: 'tagged',
        tagPatternList: ['release-*.*'],
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 1,
      }),
    );
    assert.deepEqual(expire(images, patterns), ['pattern@1']);
  });

  it('a lower-priority rule cannot expire what a higher-priority rule selected, but still counts it', () => {
    // Rule 1 keeps the 2 newest prod images; rule 2 (any) expires everything older than 10 days.
    const images = [
      image('p1', 30, 'prod-a'),
      image('p2', 20, 'prod-b'),
      image('p3', 1, 'prod-c'),
      image('x', 15, 'dev'),
      image('y', 2),
    ];
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 2 }),
      rule(2, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 10 }),
    );
    // p1 expires by rule 1; p2 is kept by rule 1 and, selected by it, is out of rule 2's reach; x expires by rule 2.
    assert.deepEqual(expire(images, p), ['p1@1', 'x@2']);
  });

  it('counts images another rule expired when applying imageCountMoreThan', () => {
    const images = [image('u1', 1), image('u2', 2), image('u3', 3)];
    const p = policy(
      rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 2 }),
      rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    // Rule 1 expires u3 and claims all three untagged images, so rule 2 expires nothing more.
    assert.deepEqual(expire(images, p), ['u3@1']);
  });

  it('expires nothing when nothing is selected or old enough', () => {
    const p = policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }));
    assert.deepEqual(expire([image('a', 100), image('b', 200)], p), []);
  });
});

describe('parseLifecyclePolicy', () => {
  const ok = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 };
  const invalid: [string, string, RegExp][] = [
    ['not JSON', '{', /not valid JSON/],
    ['no rules', JSON.stringify({ rules: [] }), /missing required properties \(\["rules"\]\)/],
    [
      'a duplicate priority',
      JSON.stringify({ rules: [rule(1, ok), rule(1, { ...ok, tagStatus: 'any' })] }),
      /unique rulePriority/,
    ],
    [
      'any not last',
      JSON.stringify({ rules: [rule(2, { ...ok, tagStatus: 'any' }), rule(3, ok)] }),
      /'any' must have the highest 'rulePriority'/,
    ],
    [
      'tagged without a list',
      JSON.stringify({ rules: [rule(1, { ...ok, tagStatus: 'tagged' })] }),
      /tagPrefixList or tagPatternList is required/,
    ],
    [
      'a list without tagged',
      JSON.stringify({ rules: [rule(1, { ...ok, tagPrefixList: ['a'] })] }),
      /allowed only when tagStatus is 'tagged'/,
    ],
    [
      'both lists',
      JSON.stringify({ rules: [rule(1, { ...ok, tagStatus: 'tagged', tagPrefixList: ['a'], tagPatternList: ['b'] })] }),
      /cannot be used together/,
    ],
    [
      'five wildcards',
      JSON.stringify({ rules: [rule(1, { ...ok, tagStatus: 'tagged', tagPatternList: ['*a*b*c*d*'] })] }),
      /more than 4 wildcards/,
    ],
    [
      'sinceImagePushed without days',
      JSON.stringify({ rules: [rule(1, { ...ok, countType: 'sinceImagePushed' })] }),
      /'days' is required/,
    ],
    ['countUnit with a count', JSON.stringify({ rules: [rule(1, { ...ok, countUnit: 'days' })] }), /not allowed/],
    ['countNumber 0', JSON.stringify({ rules: [rule(1, { ...ok, countNumber: 0 })] }), /minimum: 1/],
    [
      'a string countNumber',
      JSON.stringify({ rules: [rule(1, { ...ok, countNumber: '5' })] }),
      /allowed: \["integer"\]/,
    ],
    [
      'another action',
      JSON.stringify({ rules: [{ rulePriority: 1, selection: ok, action: { type: 'archive' } }] }),
      /not found in enum/,
    ],
    ['an unknown property', JSON.stringify({ rules: [{ ...rule(1, ok), extra: 1 }] }), /not allowed by the schema/],
    ['two untagged rules', JSON.stringify({ rules: [rule(1, ok), rule(2, ok)] }), /Only one rule may select untagged/],
  ];
  for (const [what, text, message] of invalid) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => parseLifecyclePolicy(text),
        (error: unknown) => error instanceof LifecyclePolicyError && message.test(error.message),
      );
    });
  }

  it('orders rules by priority', () => {
    const parsed = policy(rule(5, { ...ok, tagStatus: 'any' }), rule(2, ok));
    assert.deepEqual(
      parsed.rules.map((r) => r.rulePriority),
      [2, 5],
    );
  });
});
