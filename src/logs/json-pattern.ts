import type { LinearRegExp } from '../shared/linear-regexp.ts';
import { compileWildcard } from '../shared/wildcard.ts';
import { checkRegexCount, compileRegex, invalidPattern, readQuoted } from './pattern-literals.ts';

/*
 * JSON filter patterns: { SELECTOR OP VALUE }, joined with && and || and grouped with ( ).
 *   { $.level = "error" }   { $.user.id != 7 }   { $.latency > 1000 }   { $.items[0].sku = "A*" }
 *   { $.message = %time ?out% }   { $.error IS TRUE }   { $.trace IS NULL }   { $.trace NOT EXISTS }
 * = and != compare strings (with * wildcards) or numbers; >, <, >= and <= compare numbers. A
 * message that is not a JSON object or array never matches, nor does a selector that finds
 * nothing (except with NOT EXISTS).
 */

type Predicate = (doc: unknown) => boolean;
export type Step = string | number;
type Token =
  | { readonly kind: 'symbol'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'regex'; readonly regex: LinearRegExp; readonly text: string; readonly at: number }
  | { readonly kind: 'word'; readonly text: string; readonly at: number };

const MISSING = Symbol('missing');
const SYMBOLS = ['&&', '||', '!=', '>=', '<=', '{', '}', '(', ')', '=', '>', '<'];
const WORD_END = /[\s{}()=!<>&|"]/;

export function compileJsonPattern(pattern: string): (message: string) => boolean {
  const parser = new Parser(tokenize(pattern));
  parser.expect('{');
  const predicate = parser.expression();
  parser.expect('}');
  parser.end();
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof doc === 'object' && doc !== null && predicate(doc);
  };
}

/** The selectors a JSON pattern tests, in order, each once: what TestMetricFilter extracts. */
export function jsonPatternSelectors(pattern: string): string[] {
  const words = tokenize(pattern).filter((token) => token.kind === 'word' && token.text.startsWith('$'));
  return [...new Set(words.map((token) => token.text))];
}

/** The value a selector finds in a parsed JSON document; undefined when it finds nothing. */
export function selectValue(doc: unknown, selector: readonly Step[]): unknown {
  const value = resolve(doc, selector);
  return value === MISSING ? undefined : value;
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let regexes = 0;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const symbol = SYMBOLS.find((s) => pattern.startsWith(s, i));
    if (/\s/.test(c)) {
      i++;
    } else if (symbol) {
      tokens.push({ kind: 'symbol', text: symbol, at: i });
      i += symbol.length;
    } else if (c === '"') {
      const { text, end } = readQuoted(pattern, i);
      tokens.push({ kind: 'string', text, at: i });
      i = end;
    } else if (c === '%') {
      const close = pattern.indexOf('%', i + 1);
      if (close < 0) throw invalidPattern(`unterminated regular expression at position ${i + 1}`);
      const text = pattern.slice(i + 1, close);
      checkRegexCount(++regexes);
      tokens.push({ kind: 'regex', regex: compileRegex(text), text, at: i });
      i = close + 1;
    } else {
      let end = i;
      while (end < pattern.length && !WORD_END.test(pattern[end]!)) end++;
      if (end === i) throw invalidPattern(`unexpected '${c}' at position ${i + 1}`);
      tokens.push({ kind: 'word', text: pattern.slice(i, end), at: i });
      i = end;
    }
  }
  return tokens;
}

class Parser {
  readonly #tokens: Token[];
  #next = 0;
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  expression(): Predicate {
    let left = this.#conjunction();
    while (this.#accept('||')) {
      const [a, b] = [left, this.#conjunction()];
      left = (doc) => a(doc) || b(doc);
    }
    return left;
  }

  expect(symbol: string): void {
    if (!this.#accept(symbol)) throw this.#unexpected(`'${symbol}'`);
  }

  end(): void {
    if (this.#next < this.#tokens.length) throw this.#unexpected('the end of the pattern');
  }

  #conjunction(): Predicate {
    let left = this.#term();
    while (this.#accept('&&')) {
      const [a, b] = [left, this.#term()];
      left = (doc) => a(doc) && b(doc);
    }
    return left;
  }

  #term(): Predicate {
    if (this.#accept('(')) {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    const token = this.#take();
    if (token?.kind !== 'word' || !token.text.startsWith('$'))
      throw this.#unexpected('a selector such as $.field', token);
    const path = parseSelector(token.text);
    const at = (doc: unknown) => resolve(doc, path);
    const operator = this.#take();
    if (operator?.kind === 'word') return this.#keywordTest(operator, at);
    if (operator?.kind !== 'symbol' || !['=', '!=', '>', '<', '>=', '<='].includes(operator.text)) {
      throw this.#unexpected('a comparison operator', operator);
    }
    return comparison(operator.text, this.#value(operator.text), at);
  }

  /** IS TRUE, IS FALSE, IS NULL, NOT EXISTS. */
  #keywordTest(first: Token, at: (doc: unknown) => unknown): Predicate {
    const second = this.#take();
    const phrase = `${first.text} ${second?.text ?? ''}`.toUpperCase();
    if (phrase === 'IS TRUE') return (doc) => at(doc) === true;
    if (phrase === 'IS FALSE') return (doc) => at(doc) === false;
    if (phrase === 'IS NULL') return (doc) => at(doc) === null;
    if (phrase === 'NOT EXISTS') return (doc) => at(doc) === MISSING;
    throw invalidPattern(`unknown test '${phrase.trim()}' at position ${first.at + 1}`);
  }

  #value(operator: string): Literal {
    const token = this.#take();
    if (!token || token.kind === 'symbol') throw this.#unexpected('a value', token);
    const literal = toLiteral(token);
    if (operator !== '=' && operator !== '!=' && literal.number === undefined) {
      throw invalidPattern(`'${operator}' compares numbers, not '${token.text}'`);
    }
    return literal;
  }

  #accept(symbol: string): boolean {
    const token = this.#tokens[this.#next];
    if (token?.kind !== 'symbol' || token.text !== symbol) return false;
    this.#next++;
    return true;
  }

  #take(): Token | undefined {
    return this.#tokens[this.#next++];
  }

  #unexpected(wanted: string, token = this.#tokens[this.#next]): Error {
    return token
      ? invalidPattern(`expected ${wanted} at position ${token.at + 1}, found '${token.text}'`)
      : invalidPattern(`expected ${wanted} at the end`);
  }
}

interface Literal {
  /** Matches a string value (wildcards, or the regex). */
  readonly matchesText: (text: string) => boolean;
  readonly number: number | undefined;
}

function toLiteral(token: Token): Literal {
  if (token.kind === 'regex') return { matchesText: (text) => token.regex.test(text), number: undefined };
  const number = token.kind === 'word' && token.text.trim() !== '' ? Number(token.text) : NaN;
  return { matchesText: wildcard(token.text), number: Number.isFinite(number) ? number : undefined };
}

/** '*' matches any run of characters (in linear time); everything else matches itself. */
function wildcard(text: string): (value: string) => boolean {
  if (!text.includes('*')) return (value) => value === text;
  const pattern = compileWildcard(text);
  return (value) => pattern.test(value);
}

function comparison(operator: string, literal: Literal, at: (doc: unknown) => unknown): Predicate {
  const equals = (value: unknown): boolean => {
    if (typeof value === 'number' && literal.number !== undefined) return value === literal.number;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return literal.matchesText(String(value));
    }
    return false;
  };
  const n = literal.number!;
  const numeric = (test: (value: number) => boolean) => (doc: unknown) => {
    const value = at(doc);
    return typeof value === 'number' && test(value);
  };
  switch (operator) {
    case '=':
      return (doc) => equals(at(doc));
    case '!=':
      return (doc) => {
        const value = at(doc);
        return value !== MISSING && !equals(value);
      };
    case '>':
      return numeric((v) => v > n);
    case '<':
      return numeric((v) => v < n);
    case '>=':
      return numeric((v) => v >= n);
    default:
      return numeric((v) => v <= n);
  }
}

/** $.a.b[0].c → ['a', 'b', 0, 'c']. */
export function parseSelector(selector: string): Step[] {
  const steps: Step[] = [];
  const step = /\.([^.[\]]+)|\[(\d+)\]/y;
  step.lastIndex = 1;
  while (step.lastIndex < selector.length) {
    const start = step.lastIndex;
    const match = step.exec(selector);
    if (!match) throw invalidPattern(`invalid selector '${selector}' at character ${start + 1}`);
    steps.push(match[1] ?? Number(match[2]));
  }
  return steps;
}

function resolve(doc: unknown, path: readonly Step[]): unknown {
  let value: unknown = doc;
  for (const step of path) {
    if (typeof step === 'number' ? !Array.isArray(value) : typeof value !== 'object' || value === null) return MISSING;
    const container = value as Record<string | number, unknown>;
    if (!Object.hasOwn(container, step)) return MISSING;
    value = container[step];
  }
  return value;
}
