import { isIP } from 'node:net';
import { ValidationError } from './errors.ts';
import type { RuleCondition } from './shapes.generated.ts';

/*
 * Listener rule conditions, checked as ELBv2 checks them and normalized to what DescribeRules
 * shows: path-pattern and host-header in both the legacy Values and the *Config form, the other
 * fields in their *Config form only.
 */

export const MAX_CONDITION_VALUES = 5;
const SINGLE_FIELDS = new Set(['path-pattern', 'host-header', 'http-request-method', 'source-ip']);
const FIELDS = [...SINGLE_FIELDS, 'http-header', 'query-string'];
const PATH = /^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/;
const HOST = /^[A-Za-z0-9\-.*?]+$/;
const METHOD = /^[A-Z_-]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

export function normalizeConditions(conditions: readonly RuleCondition[]): RuleCondition[] {
  const seen = new Set<string>();
  let values = 0;
  const out = conditions.map((condition) => {
    const field = condition.Field ?? '';
    if (!FIELDS.includes(field))
      throw new ValidationError(`Condition field '${field}' must be one of '[${FIELDS.join(', ')}]'`);
    if (SINGLE_FIELDS.has(field) && seen.has(field))
      throw new ValidationError(`A rule can only have one '${field}' condition`);
    seen.add(field);
    if (condition.RegexValues !== undefined || condition.HttpHeaderConfig?.RegexValues !== undefined)
      throw new ValidationError('Berth does not support regular expression conditions (RegexValues)');
    const normalized = normalizeOne(field, condition);
    values += countValues(normalized);
    return normalized;
  });
  if (values > MAX_CONDITION_VALUES)
    throw new ValidationError(`A rule can only have '${MAX_CONDITION_VALUES}' condition values`);
  return out;
}

const NORMALIZE: Record<string, (c: RuleCondition) => RuleCondition> = {
  'path-pattern': (c) => {
    const values = legacyOrConfig('path-pattern', c.Values, c.PathPatternConfig?.Values);
    check('path-pattern', values, (v) => PATH.test(v));
    return { Field: 'path-pattern', Values: values, PathPatternConfig: { Values: values } };
  },
  'host-header': (c) => {
    const values = legacyOrConfig('host-header', c.Values, c.HostHeaderConfig?.Values);
    check('host-header', values, (v) => HOST.test(v));
    return { Field: 'host-header', Values: values, HostHeaderConfig: { Values: values } };
  },
  'http-header': (c) => {
    noLegacy('http-header', c.Values);
    const name = c.HttpHeaderConfig?.HttpHeaderName ?? '';
    if (!HEADER_NAME.test(name) || name.length > 40)
      throw new ValidationError(`HTTP header name '${name}' is not valid: a header name of up to 40 characters`);
    const values = c.HttpHeaderConfig?.Values ?? [];
    check('http-header', values, (v) => v.length > 0);
    return { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: name, Values: values } };
  },
  'http-request-method': (c) => {
    noLegacy('http-request-method', c.Values);
    const values = c.HttpRequestMethodConfig?.Values ?? [];
    check('http-request-method', values, (v) => METHOD.test(v) && v.length <= 40);
    return { Field: 'http-request-method', HttpRequestMethodConfig: { Values: values } };
  },
  'query-string': (c) => {
    noLegacy('query-string', c.Values);
    const pairs = c.QueryStringConfig?.Values ?? [];
    if (pairs.length === 0) throw new ValidationError(`A 'query-string' condition must have at least one value`);
    for (const pair of pairs) {
      if (pair.Value === undefined || pair.Value === '' || pair.Value.length > 128 || (pair.Key?.length ?? 0) > 128)
        throw new ValidationError(`Query string condition values need a value of 1 to 128 characters`);
    }
    return { Field: 'query-string', QueryStringConfig: { Values: pairs.map((p) => ({ ...p })) } };
  },
  'source-ip': (c) => {
    noLegacy('source-ip', c.Values);
    const values = c.SourceIpConfig?.Values ?? [];
    check('source-ip', values, isCidr);
    return { Field: 'source-ip', SourceIpConfig: { Values: values } };
  },
};

function normalizeOne(field: string, c: RuleCondition): RuleCondition {
  return NORMALIZE[field]!(c);
}

/**
 * The legacy Values field holds "a single host name" or "a single path pattern" (the API
 * reference); several go in HostHeaderConfig or PathPatternConfig. ELB's words for more than one.
 */
function legacyOrConfig(field: string, legacy: string[] | undefined, config: string[] | undefined): string[] {
  if (legacy !== undefined && config !== undefined)
    throw new ValidationError(`A '${field}' condition can have Values or its configuration, not both`);
  if (legacy !== undefined && legacy.length > 1)
    throw new ValidationError(`The '${field}' field contains too many values; the limit is '1'`);
  return legacy ?? config ?? [];
}

function noLegacy(field: string, legacy: string[] | undefined): void {
  if (legacy !== undefined && legacy.length > 0)
    throw new ValidationError(`A '${field}' condition takes its values in its configuration, not in Values`);
}

function check(field: string, values: readonly string[], valid: (v: string) => boolean): void {
  if (values.length === 0) throw new ValidationError(`A '${field}' condition must have at least one value`);
  for (const value of values) {
    if (value.length > 128 || !valid(value))
      throw new ValidationError(`Condition value '${value}' is not valid for a '${field}' condition`);
  }
}

export function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

function countValues(c: RuleCondition): number {
  return (
    c.PathPatternConfig?.Values?.length ??
    c.HostHeaderConfig?.Values?.length ??
    c.HttpHeaderConfig?.Values?.length ??
    c.HttpRequestMethodConfig?.Values?.length ??
    c.QueryStringConfig?.Values?.length ??
    c.SourceIpConfig?.Values?.length ??
    0
  );
}
