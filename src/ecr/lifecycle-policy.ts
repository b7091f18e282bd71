import { compileWildcard } from '../shared/wildcard.ts';

/**
 * ECR lifecycle policies: the grammar (parseLifecyclePolicy, with ECR's validation messages) and
 * the evaluator (imagesToExpire), a pure function from (images, policy, now) to what expires.
 *
 * ECR's documented semantics, which the evaluator follows:
 * - rules run in rulePriority order, lowest first; the `any` rule must come last;
 * - an image is expired by exactly one rule or none;
 * - an image that matches the tag requirements of a higher-priority rule cannot be expired by a
 *   lower-priority one, but lower rules still see it when they count (as if not expired);
 * - expiry always takes older images (pushed_at) before newer ones;
 * - tagPrefixList / tagPatternList: an image matches when every entry matches one of its tags.
 */

export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPrefixList?: readonly string[];
    readonly tagPatternList?: readonly string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

export interface LifecyclePolicy {
  readonly rules: readonly LifecycleRule[];
}

export interface LifecycleImage {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
}

export interface Expiry {
  readonly digest: string;
  readonly rulePriority: number;
}

export class LifecyclePolicyError extends Error {}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_WILDCARDS = 4;

/** Parses and validates a policy text; throws LifecyclePolicyError with what is wrong. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LifecyclePolicyError('policy is not valid JSON');
  }
  const policy = object(json, 'policy');
  const rules = policy.rules;
  if (!Array.isArray(rules) || rules.length === 0)
    throw new LifecyclePolicyError('object has missing required properties (["rules"])');
  const parsed = rules.map((rule, i) => parseRule(rule, `rules[${i}]`));
  const priorities = new Set<number>();
  for (const rule of parsed) {
    if (priorities.has(rule.rulePriority)) {
      throw new LifecyclePolicyError(
        `The rule priority ${rule.rulePriority} is used by more than one rule: each rule needs a unique rulePriority`,
      );
    }
    priorities.add(rule.rulePriority);
  }
  const any = parsed.filter((r) => r.selection.tagStatus === 'any');
  if (any.length > 1) throw new LifecyclePolicyError("Only one rule may have 'tagStatus' of 'any'");
  if (any.length === 1 && any[0]!.rulePriority !== Math.max(...priorities)) {
    throw new LifecyclePolicyError("The rule with 'tagStatus' of 'any' must have the highest 'rulePriority'");
  }
  if (parsed.filter((r) => r.selection.tagStatus === 'untagged').length > 1) {
    throw new LifecyclePolicyError("Only one rule may select untagged images ('tagStatus' of 'untagged')");
  }
  return { rules: [...parsed].sort((a, b) => a.rulePriority - b.rulePriority) };
}

function parseRule(value: unknown, path: string): LifecycleRule {
  const rule = object(value, path);
  for (const key of Object.keys(rule)) {
    if (!['rulePriority', 'description', 'selection', 'action'].includes(key)) {
      throw new LifecyclePolicyError(
        `${path}: object instance has properties which are not allowed by the schema: (["${key}"])`,
      );
    }
  }
  const rulePriority = integer(rule.rulePriority, `${path}.rulePriority`, 1);
  if (rule.description !== undefined && typeof rule.description !== 'string') {
    throw new LifecyclePolicyError(
      `${path}.description: instance type does not match the allowed primitive type (allowed: ["string"])`,
    );
  }
  const action = object(rule.action, `${path}.action`);
  if (action.type !== 'expire') {
    throw new LifecyclePolicyError(
      `${path}.action.type: instance value (${JSON.stringify(action.type)}) not found in enum (possible values: ["expire"])`,
    );
  }
  return {
    rulePriority,
    ...(typeof rule.description === 'string' ? { description: rule.description } : {}),
    selection: parseSelection(object(rule.selection, `${path}.selection`), `${path}.selection`),
    action: { type: 'expire' },
  };
}

function parseSelection(selection: Record<string, unknown>, path: string): LifecycleRule['selection'] {
  const tagStatus = oneOf(selection.tagStatus, ['tagged', 'untagged', 'any'] as const, `${path}.tagStatus`);
  const tagPrefixList = stringList(selection.tagPrefixList, `${path}.tagPrefixList`);
  const tagPatternList = stringList(selection.tagPatternList, `${path}.tagPatternList`);
  if (tagPrefixList && tagPatternList)
    throw new LifecyclePolicyError(`${path}: tagPrefixList and tagPatternList cannot be used together`);
  const hasList = tagPrefixList !== undefined || tagPatternList !== undefined;
  if (tagStatus === 'tagged' && !hasList) {
    throw new LifecyclePolicyError(`${path}: tagPrefixList or tagPatternList is required when tagStatus is 'tagged'`);
  }
  if (tagStatus !== 'tagged' && hasList) {
    throw new LifecyclePolicyError(
      `${path}: tagPrefixList and tagPatternList are allowed only when tagStatus is 'tagged'`,
    );
  }
  const tooWild = (tagPatternList ?? []).find((pattern) => (pattern.match(/\*/g) ?? []).length > MAX_WILDCARDS);
  if (tooWild !== undefined) {
    throw new LifecyclePolicyError(`${path}.tagPatternList: '${tooWild}' has more than ${MAX_WILDCARDS} wildcards`);
  }
  const countType = oneOf(
    selection.countType,
    ['imageCountMoreThan', 'sinceImagePushed'] as const,
    `${path}.countType`,
  );
  if (countType === 'sinceImagePushed' && selection.countUnit !== 'days') {
    throw new LifecyclePolicyError(`${path}.countUnit: 'days' is required when countType is 'sinceImagePushed'`);
  }
  if (countType === 'imageCountMoreThan' && selection.countUnit !== undefined) {
    throw new LifecyclePolicyError(`${path}.countUnit is not allowed when countType is 'imageCountMoreThan'`);
  }
  return {
    tagStatus,
    ...(tagPrefixList ? { tagPrefixList } : {}),
    ...(tagPatternList ? { tagPatternList } : {}),
    countType,
    ...(countType === 'sinceImagePushed' ? { countUnit: 'days' as const } : {}),
    countNumber: integer(selection.countNumber, `${path}.countNumber`, 1),
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new LifecyclePolicyError(
      `${path}: instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(allowed)})`,
    );
  }
  return value as T;
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LifecyclePolicyError(
      `${path}: instance type does not match the allowed primitive type (allowed: ["object"])`,
    );
  }
  return value as Record<string, unknown>;
}

function integer(value: unknown, path: string, min: number): number {
  if (value === undefined) throw new LifecyclePolicyError(`${path}: object has missing required property`);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new LifecyclePolicyError(
      `${path}: instance type does not match the allowed primitive type (allowed: ["integer"])`,
    );
  }
  if (value < min)
    throw new LifecyclePolicyError(
      `${path}: numeric instance is lower than the required minimum (minimum: ${min}, found: ${value})`,
    );
  return value;
}

function stringList(value: unknown, path: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new LifecyclePolicyError(`${path}: must be a non-empty list of non-empty strings`);
  }
  return value as string[];
}

/** Whether the image meets the rule's tag requirements. */
export function matchesSelection(rule: LifecycleRule, image: LifecycleImage): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === 'any') return true;
  if (tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  if (tagPrefixList) return tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)));
  const patterns = (tagPatternList ?? []).map((pattern) => compileWildcard(pattern));
  return patterns.every((pattern) => image.tags.some((tag) => pattern.test(tag)));
}

/** The images the policy expires now, each with the rule that expires it, oldest first. */
export function imagesToExpire(images: readonly LifecycleImage[], policy: LifecyclePolicy, now: Date): Expiry[] {
  const claimed = new Set<string>(); // matched by a higher-priority rule
  const expired: Expiry[] = [];
  for (const rule of policy.rules) {
    const selected = images.filter((image) => matchesSelection(rule, image));
    const youngestFirst = [...selected].sort(
      (a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || a.digest.localeCompare(b.digest),
    );
    const candidates =
      rule.selection.countType === 'imageCountMoreThan'
        ? youngestFirst.slice(rule.selection.countNumber)
        : youngestFirst.filter(
            (image) => image.pushedAt.getTime() < now.getTime() - rule.selection.countNumber * DAY_MS,
          );
    for (const image of candidates.reverse()) {
      if (!claimed.has(image.digest)) expired.push({ digest: image.digest, rulePriority: rule.rulePriority });
    }
    for (const image of selected) claimed.add(image.digest);
  }
  return expired;
}
