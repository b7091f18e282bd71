// shared/ is open to every folder; the boundary rule's '../*/*' also catches it from two levels down.
// eslint-disable-next-line no-restricted-imports -- pure matchers, linear time (issue #15)
import { LinearRegExp } from '../../shared/linear-regexp.ts';
// eslint-disable-next-line no-restricted-imports -- as above
import { compileWildcard, type Wildcard } from '../../shared/wildcard.ts';

/**
 * The ECS cluster query language: a hand-written lexer and a recursive-descent parser (grammar in
 * README.md). Everything that can be decided from the text alone is decided here, once: wildcards
 * and regular expressions are compiled, numbers, dates and versions are parsed, so evaluation
 * against thousands of instances only compares values.
 */

export type FieldName =
  'agentConnected' | 'agentVersion' | 'ec2InstanceId' | 'registeredAt' | 'runningTasksCount' | 'task:group';

export type Subject = { readonly kind: 'attribute'; readonly name: string } | { readonly kind: FieldName };

export type EqualityOperator = 'equals' | 'not_equals';
export type OrderingOperator = 'greater_than' | 'greater_than_equal' | 'less_than' | 'less_than_equal';
export type Operator =
  EqualityOperator | OrderingOperator | 'exists' | 'not_exists' | 'in' | 'not_in' | 'matches' | 'not_matches';

/** An argument with what the text means, decided at parse time; absent keys do not apply. */
export interface Literal {
  readonly text: string;
  /** `*` in an ==, !=, in or not_in argument: `*` matches any run of characters. */
  readonly wildcard?: Wildcard;
  /** The text is a decimal number. */
  readonly number?: number;
  /** registeredAt only: the date, in epoch milliseconds. */
  readonly time?: number;
  /** agentVersion only: the text is a dotted version (1.14.5). */
  readonly version?: readonly number[];
}

interface ConditionBase {
  readonly kind: 'condition';
  readonly subject: Subject;
}
export interface ExistsCondition extends ConditionBase {
  readonly operator: 'exists' | 'not_exists';
}
export interface ComparisonCondition extends ConditionBase {
  readonly operator: EqualityOperator | OrderingOperator;
  readonly argument: Literal;
}
export interface ListCondition extends ConditionBase {
  readonly operator: 'in' | 'not_in';
  readonly arguments: readonly Literal[];
}
export interface MatchCondition extends ConditionBase {
  readonly operator: 'matches' | 'not_matches';
  readonly pattern: string;
  /** The pattern, matched against the whole value in linear time (RE2). */
  readonly regex: LinearRegExp;
}
export type Condition = ExistsCondition | ComparisonCondition | ListCondition | MatchCondition;

export type Expression =
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'not'; readonly operand: Expression }
  | Condition;

export class QueryParseError extends Error {
  override readonly name = 'QueryParseError';
  /** 0-based offset in the expression text. */
  readonly position: number;
  /** What the parser expected at `position`. */
  readonly expected: string;

  constructor(expected: string, position: number, detail?: string) {
    super(`Expected ${expected} at position ${position}${detail === undefined ? '' : `: ${detail}`}`);
    this.position = position;
    this.expected = expected;
  }
}

/** ECS rejects longer expressions (PlacementConstraint.expression). */
export const MAX_EXPRESSION_LENGTH = 2000;

const FIELDS: ReadonlySet<string> = new Set<FieldName>([
  'agentConnected',
  'agentVersion',
  'ec2InstanceId',
  'registeredAt',
  'runningTasksCount',
  'task:group',
]);

const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  ['==', 'equals'],
  ['equals', 'equals'],
  ['!=', 'not_equals'],
  ['not_equals', 'not_equals'],
  ['>', 'greater_than'],
  ['greater_than', 'greater_than'],
  ['>=', 'greater_than_equal'],
  ['greater_than_equal', 'greater_than_equal'],
  ['<', 'less_than'],
  ['less_than', 'less_than'],
  ['<=', 'less_than_equal'],
  ['less_than_equal', 'less_than_equal'],
  ['exists', 'exists'],
  ['!exists', 'not_exists'],
  ['not_exists', 'not_exists'],
  ['in', 'in'],
  ['!in', 'not_in'],
  ['not_in', 'not_in'],
  ['=~', 'matches'],
  ['matches', 'matches'],
  ['!~', 'not_matches'],
  ['not_matches', 'not_matches'],
]);

const EXPECTED = {
  condition:
    "a condition (attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount or task:group), 'not' or '('",
  attributeName: "an attribute name (letters, digits, '.', '-', '_', '/', ':')",
  operator: 'an operator (==, !=, >, >=, <, <=, exists, !exists, in, not_in, =~, !~)',
  argument: 'an argument (a word or a quoted string)',
  list: 'an argument list, like (a, b) or [a, b]',
  regex: 'a regular expression',
  validRegex: 'a valid regular expression',
  date: 'a date (2018-06-18T22:28:28Z, 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28, 2018-06-18 or epoch seconds)',
  connectiveOrEnd: 'and (&&), or (||) or the end of the expression',
  connectiveOrClose: 'and (&&), or (||) or )',
} as const;

type TokenKind = 'word' | 'string' | 'symbol' | 'invalid' | 'end';

interface Token {
  readonly kind: TokenKind;
  /** Words and symbols as written; strings without their quotes. */
  readonly value: string;
  readonly position: number;
  readonly end: number;
}

const WORD_CHAR = /[A-Za-z0-9._\-:/*+]/;
const ATTRIBUTE_NAME_CHAR = /[A-Za-z0-9._\-/:]/;
const WHITESPACE = /\s/;
const SYMBOLS = ['&&', '||', '==', '!=', '>=', '<=', '=~', '!~', '>', '<', '!', '(', ')', '[', ']', ','];

/** Tokens on demand, so the parser can read a regular expression with its own rules. */
class Lexer {
  readonly text: string;
  position = 0;
  #peeked: Token | undefined;

  constructor(text: string) {
    this.text = text;
  }

  peek(): Token {
    this.#peeked ??= this.#read();
    return this.#peeked;
  }

  next(): Token {
    const token = this.peek();
    this.position = token.end;
    this.#peeked = undefined;
    return token;
  }

  /**
   * An unquoted regular expression runs to the next whitespace, or to a ) that closes a group it
   * did not open, so `not(attribute:x =~ (a|b).*)` works without quotes.
   */
  nextRegex(): Token {
    this.#skipWhitespace();
    this.#peeked = undefined;
    const start = this.position;
    let depth = 0;
    let inClass = false;
    let i = start;
    for (; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (WHITESPACE.test(c)) break;
      if (c === '\\') i++;
      else if (inClass) inClass = c !== ']';
      else if (c === '[') inClass = true;
      else if (c === '(') depth++;
      else if (c === ')' && depth-- === 0) break;
    }
    this.position = Math.min(i, this.text.length);
    return { kind: 'word', value: this.text.slice(start, this.position), position: start, end: this.position };
  }

  #skipWhitespace(): void {
    while (this.position < this.text.length && WHITESPACE.test(this.text[this.position]!)) this.position++;
  }

  #read(): Token {
    this.#skipWhitespace();
    const { text, position } = this;
    if (position >= text.length) return { kind: 'end', value: '', position, end: position };
    const c = text[position]!;
    if (c === '"' || c === "'") return this.#readString(c);
    if (WORD_CHAR.test(c)) {
      let end = position + 1;
      while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
      return { kind: 'word', value: text.slice(position, end), position, end };
    }
    // `!exists` and `!in` are operators; any other `!` is the prefix `not`.
    const negated = /^!(exists|in)(?![A-Za-z0-9._\-:/*+])/i.exec(text.slice(position, position + 8));
    if (negated) return { kind: 'symbol', value: negated[0], position, end: position + negated[0].length };
    const symbol = SYMBOLS.find((s) => text.startsWith(s, position));
    if (symbol !== undefined) return { kind: 'symbol', value: symbol, position, end: position + symbol.length };
    return { kind: 'invalid', value: c, position, end: position + 1 };
  }

  /** A backslash escapes the quote character only, so regular expressions keep theirs. */
  #readString(quote: string): Token {
    const { text, position } = this;
    let value = '';
    for (let i = position + 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === quote) return { kind: 'string', value, position, end: i + 1 };
      if (c === '\\' && text[i + 1] === quote) {
        value += quote;
        i++;
      } else value += c;
    }
    throw new QueryParseError(`a closing ${quote}`, text.length);
  }
}

/** Parses a cluster query language expression; throws QueryParseError saying what was expected where. */
export function parseExpression(text: string): Expression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new QueryParseError(`at most ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  }
  const lexer = new Lexer(text);
  const expression = parseOr(lexer);
  const end = lexer.peek();
  if (end.kind !== 'end') throw new QueryParseError(EXPECTED.connectiveOrEnd, end.position);
  return expression;
}

const isKeyword = (token: Token, word: string, symbol: string): boolean =>
  (token.kind === 'word' && token.value.toLowerCase() === word) || (token.kind === 'symbol' && token.value === symbol);

// or := and { ("or" | "||") and }
function parseOr(lexer: Lexer): Expression {
  let left = parseAnd(lexer);
  while (isKeyword(lexer.peek(), 'or', '||')) {
    lexer.next();
    left = { kind: 'or', left, right: parseAnd(lexer) };
  }
  return left;
}

// and := unary { ("and" | "&&") unary }
function parseAnd(lexer: Lexer): Expression {
  let left = parseUnary(lexer);
  while (isKeyword(lexer.peek(), 'and', '&&')) {
    lexer.next();
    left = { kind: 'and', left, right: parseUnary(lexer) };
  }
  return left;
}

// unary := ("not" | "!") unary | "(" or ")" | condition
function parseUnary(lexer: Lexer): Expression {
  const token = lexer.peek();
  if (isKeyword(token, 'not', '!')) {
    lexer.next();
    return { kind: 'not', operand: parseUnary(lexer) };
  }
  if (token.kind === 'symbol' && token.value === '(') {
    lexer.next();
    const inner = parseOr(lexer);
    const close = lexer.next();
    if (close.kind !== 'symbol' || close.value !== ')') {
      throw new QueryParseError(EXPECTED.connectiveOrClose, close.position);
    }
    return inner;
  }
  return parseCondition(lexer);
}

// condition := subject ( ("exists" | "!exists") | operator argument | ("in" | "!in") list | ("=~" | "!~") regex )
function parseCondition(lexer: Lexer): Condition {
  const subject = parseSubject(lexer.next());
  const token = lexer.next();
  const operator =
    token.kind === 'word' || token.kind === 'symbol' ? OPERATORS.get(token.value.toLowerCase()) : undefined;
  if (operator === undefined) throw new QueryParseError(EXPECTED.operator, token.position);
  switch (operator) {
    case 'exists':
    case 'not_exists':
      return { kind: 'condition', subject, operator };
    case 'in':
    case 'not_in':
      return { kind: 'condition', subject, operator, arguments: parseList(lexer, subject) };
    case 'matches':
    case 'not_matches':
      return { kind: 'condition', subject, operator, ...parseRegex(lexer) };
    default:
      return { kind: 'condition', subject, operator, argument: parseLiteral(lexer.next(), subject, operator) };
  }
}

function parseSubject(token: Token): Subject {
  if (token.kind === 'word' && token.value.startsWith('attribute:')) {
    const name = token.value.slice('attribute:'.length);
    const bad = [...name].findIndex((c) => !ATTRIBUTE_NAME_CHAR.test(c));
    if (name === '' || bad !== -1) {
      const offset = name === '' ? 0 : bad;
      throw new QueryParseError(EXPECTED.attributeName, token.position + 'attribute:'.length + offset);
    }
    return { kind: 'attribute', name };
  }
  if (token.kind === 'word' && FIELDS.has(token.value)) return { kind: token.value as FieldName };
  throw new QueryParseError(EXPECTED.condition, token.position);
}

// list := ("(" | "[") argument { "," argument } (")" | "]")
function parseList(lexer: Lexer, subject: Subject): Literal[] {
  const open = lexer.next();
  if (open.kind !== 'symbol' || (open.value !== '(' && open.value !== '[')) {
    throw new QueryParseError(EXPECTED.list, open.position);
  }
  const close = open.value === '(' ? ')' : ']';
  const values = [parseLiteral(lexer.next(), subject, 'in')];
  for (;;) {
    const token = lexer.next();
    if (token.kind === 'symbol' && token.value === close) return values;
    if (token.kind !== 'symbol' || token.value !== ',') throw new QueryParseError(`, or ${close}`, token.position);
    values.push(parseLiteral(lexer.next(), subject, 'in'));
  }
}

function parseRegex(lexer: Lexer): { pattern: string; regex: LinearRegExp } {
  const token = lexer.peek().kind === 'string' ? lexer.next() : lexer.nextRegex();
  if (token.kind === 'word' && token.value === '') throw new QueryParseError(EXPECTED.regex, token.position);
  try {
    // Java's Pattern.matches: the whole value must match. RE2, so that no pattern takes more than
    // linear time on a value (it has no backreferences or lookaround).
    return { pattern: token.value, regex: new LinearRegExp(token.value, { whole: true }) };
  } catch (error) {
    throw new QueryParseError(EXPECTED.validRegex, token.position, (error as Error).message);
  }
}

export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
export const VERSION = /^\d+(\.\d+)*$/;
// The formats ECS documents for registeredAt; a date-time without an offset is UTC.
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function parseLiteral(token: Token, subject: Subject, operator: Operator): Literal {
  if (token.kind !== 'word' && token.kind !== 'string') throw new QueryParseError(EXPECTED.argument, token.position);
  const text = token.value;
  if (subject.kind === 'registeredAt') {
    const time = parseTime(text);
    if (time === undefined) throw new QueryParseError(EXPECTED.date, token.position);
    return { text, time };
  }
  const wildcard =
    text.includes('*') && (operator === 'equals' || operator === 'not_equals' || operator === 'in')
      ? compileWildcard(text)
      : undefined;
  const number = NUMBER.test(text) ? Number(text) : undefined;
  const version = subject.kind === 'agentVersion' && VERSION.test(text) ? parseVersion(text) : undefined;
  return {
    text,
    ...(wildcard && { wildcard }),
    ...(number !== undefined && { number }),
    ...(version && { version }),
  };
}

function parseTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!DATE.test(text)) return undefined;
  const zoned = text.includes('T') && !/(Z|[+-]\d{2}:\d{2})$/.test(text) ? `${text}Z` : text;
  const time = Date.parse(zoned);
  // Date.parse rolls 2018-02-31 over to March; a date that does not exist is not a date.
  const day = text.slice(0, 10);
  const real = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(time) || Number.isNaN(real.getTime()) || real.toISOString().slice(0, 10) !== day) return undefined;
  return time;
}

export function parseVersion(text: string): number[] {
  return text.split('.').map(Number);
}
