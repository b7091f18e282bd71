import { compileWildcard, type Wildcard } from '../../shared/wildcard.ts';
import type { RequestKeys } from './request-keys.ts';

/**
 * The strings of a policy that are matched against a request: Resource / NotResource entries and
 * condition values. Under Version 2012-10-17 they may hold policy variables (IAM User Guide,
 * "IAM policy elements: Variables and tags"): `${aws:username}`, `${aws:PrincipalTag/team}`, a
 * default as in `${aws:PrincipalTag/team, 'company-wide'}`, and `${*}`, `${?}`, `${$}` for a
 * literal `*`, `?` and `$`. A variable with no value and no default makes the string match
 * nothing ("the resource that includes a policy variable with no value will not match any
 * resource"). A variable's value is inserted literally: a `*` in a tag value is no wildcard.
 *
 * Matching never builds a RegExp: a pattern without variables is compiled once (src/shared/
 * wildcard.ts, linear in the value); one with variables is compiled per distinct resolved text,
 * kept in a small per-pattern cache (a user's variables resolve to the same text request after
 * request).
 */

/** Stand-ins for a literal `*` and `?` (from `${*}`, `${?}` or a variable's value) in a wildcard source. */
const STAR = '\uE000';
const QUESTION = '\uE001';
/** What a private-use stand-in already in a value becomes, so that it never matches a literal `*` or `?`. */
const NEVER = '\uFFFF';
const CACHE_LIMIT = 64;

type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'variable'; readonly key: string; readonly fallback: string | undefined };

export interface PatternOptions {
  /** `*` and `?` are wildcards (Resource, StringLike, ArnLike); otherwise the text must be equal. */
  readonly wildcards: boolean;
  readonly ignoreCase?: boolean;
  /** Version 2012-10-17: `${...}` is a policy variable; under 2008-10-17 it is literal text. */
  readonly variables: boolean;
}

export class Pattern {
  readonly source: string;
  /** Lower-cased condition keys the pattern's variables read. */
  readonly variableKeys: readonly string[];
  readonly #options: PatternOptions;
  readonly #parts: readonly Part[] | undefined;
  /** Without variables: the source with stand-ins, compiled (wildcards) or folded (equality). */
  readonly #fixed: string | undefined;
  readonly #fixedWildcard: Wildcard | undefined;
  /** Whether the resolved source may hold stand-ins, so that values must be encoded too. */
  readonly #literals: boolean;
  readonly #compiled = new Map<string, Wildcard>();

  constructor(source: string, options: PatternOptions) {
    this.source = source;
    this.#options = options;
    const parts = options.variables && source.includes('${') ? parseVariables(source) : undefined;
    const variables = parts?.filter((part) => part.kind === 'variable') ?? [];
    this.variableKeys = variables.map((part) => part.key);
    this.#literals = variables.length > 0 || (parts !== undefined && this.#hasEscapes(parts));
    if (variables.length === 0) {
      this.#parts = undefined;
      this.#fixed = parts === undefined ? this.#fold(source) : this.#join(parts, () => undefined)!;
      this.#fixedWildcard = options.wildcards ? this.#compile(this.#fixed) : undefined;
    } else {
      this.#parts = parts;
      this.#fixed = undefined;
      this.#fixedWildcard = undefined;
    }
  }

  /** Whether the value matches, policy variables read from the request (lazily: keys() builds them). */
  matches(value: string, keys: () => RequestKeys): boolean {
    const encoded = this.#literals ? encode(this.#options.ignoreCase ? value.toLowerCase() : value) : value;
    if (this.#parts === undefined) {
      if (this.#fixedWildcard !== undefined) return this.#fixedWildcard.test(encoded);
      return this.#options.ignoreCase && !this.#literals
        ? value.toLowerCase() === this.#fixed
        : encoded === this.#fixed;
    }
    const resolved = this.resolve(keys());
    if (resolved === undefined) return false;
    if (!this.#options.wildcards) return encoded === resolved;
    return this.#cached(resolved, this.#compiled, (text) => this.#compile(text)).test(encoded);
  }

  /**
   * The source with its variables replaced (literal `*` and `?` as stand-ins, see encode), or
   * undefined when a variable has no value and no default.
   */
  resolve(keys: RequestKeys | undefined): string | undefined {
    if (this.#parts === undefined) return this.#fixed;
    return this.#join(this.#parts, (key) => keys?.single(key));
  }

  /** A per-pattern bounded cache of what is compiled from a resolved source. */
  #cached<T>(text: string, cache: Map<string, T>, make: (text: string) => T): T {
    let entry = cache.get(text);
    if (entry === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      entry = make(text);
      cache.set(text, entry);
    }
    return entry;
  }

  #compile(text: string): Wildcard {
    return compileWildcard(text, { questionMark: true, ignoreCase: this.#options.ignoreCase ?? false });
  }

  #join(parts: readonly Part[], lookup: (key: string) => string | undefined): string | undefined {
    let text = '';
    for (const part of parts) {
      if (part.kind === 'text') {
        text += this.#fold(part.text);
        continue;
      }
      const value = lookup(part.key) ?? part.fallback;
      if (value === undefined) return undefined;
      text += this.#fold(literal(value));
    }
    return text;
  }

  #fold(text: string): string {
    return this.#options.ignoreCase ? text.toLowerCase() : text;
  }

  #hasEscapes(parts: readonly Part[]): boolean {
    return parts.some((part) => part.kind === 'text' && (part.text.includes(STAR) || part.text.includes(QUESTION)));
  }
}

/** A value as patterns with literal `*` / `?` see it: those characters become the stand-ins. */
export function encode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    out += c === '*' ? STAR : c === '?' ? QUESTION : c === STAR || c === QUESTION ? NEVER : c;
  }
  return out;
}

/** Text that must match itself: its `*` and `?` become stand-ins. */
function literal(text: string): string {
  return text.replaceAll('*', STAR).replaceAll('?', QUESTION);
}

/**
 * Splits a source into text and `${key}` / `${key, 'default'}` variables. `${*}`, `${?}` and
 * `${$}` become literal text; a `${` without its `}` stays text.
 */
function parseVariables(source: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('${', at);
    const close = open < 0 ? -1 : source.indexOf('}', open + 2);
    if (open < 0 || close < 0) {
      text += source.slice(at);
      break;
    }
    text += source.slice(at, open);
    const inner = source.slice(open + 2, close);
    at = close + 1;
    if (inner === '*' || inner === '?' || inner === '$') {
      text += literal(inner);
      continue;
    }
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    const comma = inner.indexOf(',');
    const key = (comma < 0 ? inner : inner.slice(0, comma)).trim().toLowerCase();
    const fallback = comma < 0 ? undefined : unquote(inner.slice(comma + 1).trim());
    parts.push({ kind: 'variable', key, fallback });
  }
  if (text !== '' || parts.length === 0) parts.push({ kind: 'text', text });
  return parts;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith("'") && text.endsWith("'") ? text.slice(1, -1) : text;
}
