import { BlockList, isIP } from 'node:net';
import { compileWildcard, type Wildcard } from '../../shared/wildcard.ts';
import { LEGACY_PARSING, malformed } from './errors.ts';
import { encode, Pattern } from './patterns.ts';
import type { RequestKeys } from './request-keys.ts';

/**
 * The condition operator families (IAM User Guide, "IAM JSON policy elements: Condition
 * operators"): for each, how one policy value is compiled, and whether a request value matches it.
 * Negation, IfExists and the set operators are applied above, in conditions.ts.
 */
export interface ValueMatcher {
  matches(requestValue: string, keys: () => RequestKeys): boolean;
  readonly variableKeys: readonly string[];
}

export type Family =
  'String' | 'StringIgnoreCase' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn';
export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

const NONE: readonly string[] = [];

export function compileValue(family: Family, comparison: Comparison, value: string, variables: boolean): ValueMatcher {
  switch (family) {
    case 'String':
      return new Pattern(value, { wildcards: false, variables });
    case 'StringIgnoreCase':
      return new Pattern(value, { wildcards: false, ignoreCase: true, variables });
    case 'StringLike':
      return new Pattern(value, { wildcards: true, variables });
    case 'Numeric':
      return ordered(Number(value), comparison, parseNumber);
    case 'Date':
      return ordered(parseDate(value) ?? fail(), comparison, parseDate);
    case 'Bool': {
      const folded = value.toLowerCase();
      return { variableKeys: NONE, matches: (v) => v.toLowerCase() === folded };
    }
    case 'Binary':
      return { variableKeys: NONE, matches: (v) => v === value };
    case 'Ip':
      return ipMatcher(value);
    case 'Arn':
      return new ArnPattern(value, variables);
  }
}

function fail(): never {
  throw malformed(LEGACY_PARSING);
}

function ordered(expected: number, comparison: Comparison, parse: (value: string) => number | undefined): ValueMatcher {
  return {
    variableKeys: NONE,
    matches(requestValue) {
      const actual = parse(requestValue);
      if (actual === undefined || Number.isNaN(expected)) return false;
      switch (comparison) {
        case 'eq':
          return actual === expected;
        case 'lt':
          return actual < expected;
        case 'le':
          return actual <= expected;
        case 'gt':
          return actual > expected;
        case 'ge':
          return actual >= expected;
      }
    },
  };
}

function parseNumber(value: string): number | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isNaN(n) ? undefined : n;
}

const EPOCH = /^\d{1,16}$/;
const ISO_DATE = /^\d{4}(-\d{2}(-\d{2})?)?([Tt ]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date-time or of epoch seconds (what Date* accepts). */
export function parseDate(value: string): number | undefined {
  if (EPOCH.test(value)) return Number(value) * 1000;
  if (value.length > 40 || !ISO_DATE.test(value)) return undefined;
  // Date.parse takes a date-time without a zone as local time: IAM's dates are UTC.
  const zoned = /[Zz]$|[+-]\d{2}(:?\d{2})?$/.test(value.slice(10)) || value.length <= 10 ? value : `${value}Z`;
  const ms = Date.parse(zoned.length === 7 ? `${zoned}-01` : zoned.length === 4 ? `${zoned}-01-01` : zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

/** IpAddress: an IPv4 or IPv6 address or CIDR block; a malformed one matches nothing. */
function ipMatcher(value: string): ValueMatcher {
  const list = new BlockList();
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const family = isIP(address);
  const prefix = slash < 0 ? (family === 6 ? 128 : 32) : Number(value.slice(slash + 1));
  let valid = family !== 0 && Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 6 ? 128 : 32);
  if (valid) {
    try {
      list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    } catch {
      valid = false;
    }
  }
  return {
    variableKeys: NONE,
    matches(requestValue) {
      if (!valid) return false;
      const requestFamily = isIP(requestValue);
      if (requestFamily === 0) return false;
      return list.check(requestValue, requestFamily === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/**
 * ArnEquals / ArnLike (the same operator in IAM): "each of the six colon-delimited components of
 * the ARN is checked separately and each can include multi-character match wildcards (*) or
 * single-character match wildcards (?)". The sixth component is the rest of the ARN, colons included.
 */
class ArnPattern implements ValueMatcher {
  readonly #pattern: Pattern;
  readonly variableKeys: readonly string[];
  readonly #compiled = new Map<string, readonly Wildcard[] | null>();

  constructor(source: string, variables: boolean) {
    this.#pattern = new Pattern(source, { wildcards: false, variables });
    this.variableKeys = this.#pattern.variableKeys;
  }

  matches(requestValue: string, keys: () => RequestKeys): boolean {
    const resolved = this.#pattern.resolve(this.variableKeys.length > 0 ? keys() : undefined);
    if (resolved === undefined) return false;
    let components = this.#compiled.get(resolved);
    if (components === undefined) {
      if (this.#compiled.size >= 64) this.#compiled.clear();
      const parts = splitArn(resolved);
      components = parts === undefined ? null : parts.map((part) => compileWildcard(part, { questionMark: true }));
      this.#compiled.set(resolved, components);
    }
    if (components === null) return false;
    const values = splitArn(encode(requestValue));
    return values !== undefined && components.every((component, i) => component.test(values[i]!));
  }
}

function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', at);
    if (colon < 0) return undefined;
    parts.push(arn.slice(at, colon));
    at = colon + 1;
  }
  parts.push(arn.slice(at));
  return parts;
}
