import { compileWildcard, type Wildcard } from '../../shared/wildcard.ts';
import type { RuleAction, RuleCondition, RuleConfig } from '../data-plane-contract.ts';

/** What the rules look at: the request as the listener parsed it. Header names are lower-case. */
export interface RequestFacts {
  readonly method: string;
  /** The request target as sent: path plus an optional ?query. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly sourceIp: string;
}

type Predicate = (request: RequestFacts) => boolean;

/** A listener's rules compiled once per configuration, so a request runs only prepared predicates. */
export interface CompiledRule {
  readonly ruleArn: string;
  readonly action: RuleAction;
  readonly matches: Predicate;
}

/**
 * ELB wildcards: `*` is any run of characters, `?` exactly one; nothing else is special, and the
 * whole value must match. Linear in the value whatever the pattern (../../shared/wildcard.ts).
 */
function wildcard(pattern: string, ignoreCase: boolean): Wildcard {
  return compileWildcard(pattern, { questionMark: true, ignoreCase });
}

function anyOf(patterns: readonly string[], ignoreCase: boolean): (value: string) => boolean {
  const wildcards = patterns.map((pattern) => wildcard(pattern, ignoreCase));
  return (value) => wildcards.some((w) => w.test(value));
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The Host header without its port ("[::1]:80" → "[::1]", "a.example:8080" → "a.example"). */
export function hostWithoutPort(host: string | undefined): string {
  if (host === undefined) return '';
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host);
  return match ? match[1]! : host;
}

function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return component;
  }
}

function queryPairs(url: string): { key: string; value: string }[] {
  const query = url.indexOf('?');
  if (query === -1) return [];
  return url
    .slice(query + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals === -1) return { key: decode(part), value: '' };
      return { key: decode(part.slice(0, equals)), value: decode(part.slice(equals + 1)) };
    });
}

function queryPredicate(values: readonly { key?: string; value: string }[]): Predicate {
  // Keys and values are case-insensitive and take wildcards, as in ALB; a pair without a key matches any key.
  const wanted = values.map(({ key, value }) => ({
    key: key === undefined ? undefined : wildcard(key, true),
    value: wildcard(value, true),
  }));
  return (request) => {
    const pairs = queryPairs(request.url);
    return wanted.some(({ key, value }) =>
      pairs.some((pair) => (key === undefined || key.test(pair.key)) && value.test(pair.value)),
    );
  };
}

export function conditionPredicate(condition: RuleCondition): Predicate {
  switch (condition.field) {
    case 'path-pattern': {
      const test = anyOf(condition.values, false);
      return (request) => test(pathOf(request.url));
    }
    case 'host-header': {
      const test = anyOf(condition.values, true);
      return (request) => test(hostWithoutPort(headerValues(request.headers.host)[0]));
    }
    case 'http-header': {
      const name = condition.headerName.toLowerCase();
      const test = anyOf(condition.values, true);
      return (request) => headerValues(request.headers[name]).some(test);
    }
    case 'http-request-method': {
      const methods = new Set(condition.values);
      return (request) => methods.has(request.method);
    }
    case 'query-string':
      return queryPredicate(condition.values);
    case 'source-ip': {
      const ranges = condition.values.map(parseCidr);
      return (request) => ranges.some((range) => isInCidr(request.sourceIp, range));
    }
  }
}

export function compileRules(rules: readonly RuleConfig[]): CompiledRule[] {
  return rules.map((rule) => {
    const predicates = rule.conditions.map(conditionPredicate);
    const matches: Predicate =
      predicates.length === 0 ? () => true : (request) => predicates.every((predicate) => predicate(request));
    return { ruleArn: rule.ruleArn, action: rule.action, matches };
  });
}

/** The first rule whose conditions all hold: the rules come in evaluation order, the default last. */
export function matchRule(rules: readonly CompiledRule[], request: RequestFacts): CompiledRule | undefined {
  for (const rule of rules) if (rule.matches(request)) return rule;
  return undefined;
}

interface Cidr {
  readonly bits: bigint;
  readonly prefix: number;
  readonly width: 32 | 128;
}

function ipv4Bits(address: string): bigint | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let bits = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bits = (bits << 8n) | BigInt(part);
  }
  return bits;
}

function ipv6Bits(address: string): bigint | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): string[] => (half ? half.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const last = tail.length > 0 ? tail : head;
  const v4 = last.length > 0 && last[last.length - 1]!.includes('.') ? ipv4Bits(last.pop()!) : undefined;
  const v4Groups = v4 === undefined ? [] : [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
  last.push(...v4Groups);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  let bits = 0n;
  for (const group of [...head, ...Array<string>(missing).fill('0'), ...tail]) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    bits = (bits << 16n) | BigInt(`0x${group}`);
  }
  return bits;
}

/** The address as bits, an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address. */
function addressBits(address: string): { bits: bigint; width: 32 | 128 } | undefined {
  const v4 = ipv4Bits(address);
  if (v4 !== undefined) return { bits: v4, width: 32 };
  const v6 = ipv6Bits(address);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { bits: v6 & 0xffffffffn, width: 32 };
  return { bits: v6, width: 128 };
}

export function parseCidr(cidr: string): Cidr | undefined {
  const [address = '', prefixText] = cidr.split('/');
  const parsed = addressBits(address);
  if (parsed === undefined) return undefined;
  const prefix = prefixText === undefined ? parsed.width : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > parsed.width) return undefined;
  return { ...parsed, prefix };
}

export function isInCidr(address: string, range: Cidr | undefined): boolean {
  if (range === undefined) return false;
  const parsed = addressBits(address);
  if (parsed === undefined || parsed.width !== range.width) return false;
  const shift = BigInt(range.width - range.prefix);
  return parsed.bits >> shift === range.bits >> shift;
}
