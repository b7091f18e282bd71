import { malformed } from './errors.ts';
import { compileValue, type Comparison, type Family, type ValueMatcher } from './condition-values.ts';
import type { RequestKeys } from './request-keys.ts';

/**
 * A statement's Condition element (IAM User Guide, "IAM JSON policy elements: Condition" and
 * "Condition operators", "Multivalued context keys"):
 * - every operator block and every key in it must hold (AND); any of a key's values may (OR);
 * - a key absent from the request makes the condition false, or true for a negated operator
 *   ("If the policy condition requires that the key is not matched, such as StringNotLike or
 *   ArnNotLike, and the right key is not present, the condition is true");
 * - ...IfExists: an absent key makes it true; Null checks presence ("true": absent);
 * - ForAllValues: every request value matches some policy value, true when the key is absent or
 *   empty; ForAnyValue: some request value matches, false when absent or empty. With a negated
 *   operator, "matches" reads "matches none of the policy values".
 */
export interface Condition {
  readonly operator: string;
  readonly key: string;
  holds(keys: () => RequestKeys): boolean;
}

interface OperatorInfo {
  readonly family: Family;
  readonly comparison: Comparison;
  readonly negated: boolean;
}

const OPERATORS: ReadonlyMap<string, OperatorInfo> = new Map(
  (
    [
      ['StringEquals', 'String', 'eq', false],
      ['StringNotEquals', 'String', 'eq', true],
      ['StringEqualsIgnoreCase', 'StringIgnoreCase', 'eq', false],
      ['StringNotEqualsIgnoreCase', 'StringIgnoreCase', 'eq', true],
      ['StringLike', 'StringLike', 'eq', false],
      ['StringNotLike', 'StringLike', 'eq', true],
      ['NumericEquals', 'Numeric', 'eq', false],
      ['NumericNotEquals', 'Numeric', 'eq', true],
      ['NumericLessThan', 'Numeric', 'lt', false],
      ['NumericLessThanEquals', 'Numeric', 'le', false],
      ['NumericGreaterThan', 'Numeric', 'gt', false],
      ['NumericGreaterThanEquals', 'Numeric', 'ge', false],
      ['DateEquals', 'Date', 'eq', false],
      ['DateNotEquals', 'Date', 'eq', true],
      ['DateLessThan', 'Date', 'lt', false],
      ['DateLessThanEquals', 'Date', 'le', false],
      ['DateGreaterThan', 'Date', 'gt', false],
      ['DateGreaterThanEquals', 'Date', 'ge', false],
      ['Bool', 'Bool', 'eq', false],
      ['BinaryEquals', 'Binary', 'eq', false],
      ['IpAddress', 'Ip', 'eq', false],
      ['NotIpAddress', 'Ip', 'eq', true],
      ['ArnEquals', 'Arn', 'eq', false],
      ['ArnLike', 'Arn', 'eq', false],
      ['ArnNotEquals', 'Arn', 'eq', true],
      ['ArnNotLike', 'Arn', 'eq', true],
    ] as const
  ).map(([name, family, comparison, negated]) => [name.toLowerCase(), { family, comparison, negated }]),
);

type SetOperator = 'any' | 'all' | undefined;

export function parseConditions(value: unknown, variables: boolean): readonly Condition[] {
  if (!isObject(value)) throw malformed();
  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) throw malformed();
    for (const [key, values] of Object.entries(block)) {
      conditions.push(parseCondition(operator, key, conditionValues(values), variables));
    }
  }
  return conditions;
}

function parseCondition(operator: string, key: string, values: readonly string[], variables: boolean): Condition {
  let name = operator.toLowerCase();
  let set: SetOperator;
  if (name.startsWith('forallvalues:')) [set, name] = ['all', name.slice('forallvalues:'.length)];
  else if (name.startsWith('foranyvalue:')) [set, name] = ['any', name.slice('foranyvalue:'.length)];
  const ifExists = name.endsWith('ifexists') && name !== 'ifexists';
  if (ifExists) name = name.slice(0, -'ifexists'.length);
  const lowerKey = key.toLowerCase();
  if (name === 'null') {
    // "You can add IfExists to the end of any condition operator name except the Null condition."
    if (ifExists) throw malformed();
    return nullCondition(operator, lowerKey, values);
  }
  const info = OPERATORS.get(name);
  if (info === undefined) throw malformed();
  const matchers = values.map((v) => compileValue(info.family, info.comparison, v, variables));
  return new KeyCondition(operator, lowerKey, matchers, info.negated, set, ifExists);
}

class KeyCondition implements Condition {
  readonly operator: string;
  readonly key: string;
  readonly matchers: readonly ValueMatcher[];
  readonly #negated: boolean;
  readonly #set: SetOperator;
  readonly #ifExists: boolean;

  constructor(
    operator: string,
    key: string,
    matchers: readonly ValueMatcher[],
    negated: boolean,
    set: SetOperator,
    ifExists: boolean,
  ) {
    this.operator = operator;
    this.key = key;
    this.matchers = matchers;
    this.#negated = negated;
    this.#set = set;
    this.#ifExists = ifExists;
  }

  holds(keys: () => RequestKeys): boolean {
    const values = keys().get(this.key);
    if (values === undefined || values.length === 0) {
      if (this.#set === 'all') return true;
      if (this.#set === 'any') return this.#ifExists;
      return this.#ifExists || this.#negated;
    }
    if (this.#set === 'all') return values.every((v) => this.#accepts(v, keys));
    if (this.#set === 'any') return values.some((v) => this.#accepts(v, keys));
    const matched = values.some((v) => this.#matchesAny(v, keys));
    return this.#negated ? !matched : matched;
  }

  /** A request value passes: it matches a policy value, or for a negated operator matches none. */
  #accepts(value: string, keys: () => RequestKeys): boolean {
    return this.#matchesAny(value, keys) !== this.#negated;
  }

  #matchesAny(value: string, keys: () => RequestKeys): boolean {
    for (const matcher of this.matchers) if (matcher.matches(value, keys)) return true;
    return false;
  }
}

function nullCondition(operator: string, key: string, values: readonly string[]): Condition {
  const expectations = values.map((v) => v.toLowerCase());
  return {
    operator,
    key,
    holds(keys) {
      const present = keys().get(key) !== undefined;
      return expectations.some((expected) => (expected === 'true' ? !present : expected === 'false' && present));
    },
  };
}

/** A condition key's values: a string, number or boolean, or a list of them. */
function conditionValues(value: unknown): readonly string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw malformed();
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The lower-cased condition keys a list of conditions reads, their values' variables included. */
export function keysOf(conditions: readonly Condition[], into: Set<string>): void {
  for (const condition of conditions) {
    into.add(condition.key);
    if (condition instanceof KeyCondition)
      for (const m of condition.matchers) for (const k of m.variableKeys) into.add(k);
  }
}
