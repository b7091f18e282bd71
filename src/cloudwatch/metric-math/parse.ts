/**
 * CloudWatch metric math expressions, parsed by a small recursive-descent parser in one pass over
 * the tokens (linear in the length; nesting bounded by MAX_DEPTH). No eval: the tree is walked by
 * evaluate.ts.
 *
 *   or      := and (('OR' | '||') and)*
 *   and     := compare (('AND' | '&&') compare)*
 *   compare := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+' | 'NOT' | '!') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | string | name | name '(' args ')' | '[' args ']' | '(' or ')'
 */

export type Node =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: 'array'; readonly items: readonly Node[] }
  | { readonly kind: 'unary'; readonly op: string; readonly operand: Node }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Node; readonly right: Node };

export const MAX_EXPRESSION_LENGTH = 2048;
const MAX_DEPTH = 64;

export class ExpressionError extends Error {}

interface Token {
  readonly type: 'number' | 'string' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '^', '<', '>', '!', '(', ')', '[', ']', ','];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9.]/.test(c)) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
      if (!match) throw new ExpressionError(`Unexpected character '${c}' at position ${i + 1}.`);
      tokens.push({ type: 'number', text: match[0], at: start });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      tokens.push({ type: 'name', text: text.slice(start, i), at: start });
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError(`Unterminated string at position ${i + 1}.`);
      tokens.push({ type: 'string', text: text.slice(i + 1, end), at: start });
      i = end + 1;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op === undefined) throw new ExpressionError(`Unexpected character '${c}' at position ${i + 1}.`);
      tokens.push({ type: 'op', text: op, at: start });
      i += op.length;
    }
  }
  tokens.push({ type: 'end', text: '', at: text.length });
  return tokens;
}

export function parseExpression(text: string): Node {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters.`);
  }
  const parser = new Parser(tokenize(text));
  const node = parser.or(0);
  parser.expectEnd();
  return node;
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  #peek(): Token {
    return this.#tokens[this.#at]!;
  }

  #accept(...texts: string[]): Token | undefined {
    const token = this.#peek();
    if ((token.type === 'op' || token.type === 'name') && texts.includes(token.text)) {
      this.#at++;
      return token;
    }
    return undefined;
  }

  #expect(text: string): void {
    if (!this.#accept(text)) {
      const token = this.#peek();
      throw new ExpressionError(
        `Expected '${text}' at position ${token.at + 1}${token.type === 'end' ? ' (end of expression)' : ''}.`,
      );
    }
  }

  expectEnd(): void {
    const token = this.#peek();
    if (token.type !== 'end') throw new ExpressionError(`Unexpected '${token.text}' at position ${token.at + 1}.`);
  }

  or(depth: number): Node {
    return this.#chain(depth, ['OR', '||'], (d) => this.#and(d));
  }

  #and(depth: number): Node {
    return this.#chain(depth, ['AND', '&&'], (d) => this.#compare(d));
  }

  #compare(depth: number): Node {
    const left = this.#sum(depth);
    const op = this.#accept('==', '!=', '<=', '>=', '<', '>');
    return op ? { kind: 'binary', op: op.text, left, right: this.#sum(depth) } : left;
  }

  #sum(depth: number): Node {
    return this.#chain(depth, ['+', '-'], (d) => this.#product(d));
  }

  #product(depth: number): Node {
    return this.#chain(depth, ['*', '/'], (d) => this.#unary(d));
  }

  #chain(depth: number, ops: string[], next: (depth: number) => Node): Node {
    let left = next(depth);
    for (let op = this.#accept(...ops); op; op = this.#accept(...ops)) {
      left = { kind: 'binary', op: normalize(op.text), left, right: next(depth) };
    }
    return left;
  }

  #unary(depth: number): Node {
    if (depth > MAX_DEPTH) throw new ExpressionError(`The expression nests deeper than ${MAX_DEPTH} levels.`);
    const op = this.#accept('-', '+', 'NOT', '!');
    if (op) return { kind: 'unary', op: normalize(op.text), operand: this.#unary(depth + 1) };
    const base = this.#primary(depth);
    if (this.#accept('^')) return { kind: 'binary', op: '^', left: base, right: this.#unary(depth + 1) };
    return base;
  }

  #primary(depth: number): Node {
    const token = this.#peek();
    if (token.type === 'number') {
      this.#at++;
      return { kind: 'number', value: Number(token.text) };
    }
    if (token.type === 'string') {
      this.#at++;
      return { kind: 'string', value: token.text };
    }
    if (token.type === 'name') {
      this.#at++;
      if (this.#accept('(')) return { kind: 'call', name: token.text.toUpperCase(), args: this.#list(')', depth + 1) };
      return { kind: 'name', name: token.text };
    }
    if (this.#accept('[')) return { kind: 'array', items: this.#list(']', depth + 1) };
    if (this.#accept('(')) {
      const inner = this.or(depth + 1);
      this.#expect(')');
      return inner;
    }
    throw new ExpressionError(
      token.type === 'end'
        ? 'The expression ends where a value was expected.'
        : `Unexpected '${token.text}' at position ${token.at + 1}.`,
    );
  }

  #list(close: string, depth: number): Node[] {
    if (depth > MAX_DEPTH) throw new ExpressionError(`The expression nests deeper than ${MAX_DEPTH} levels.`);
    const items: Node[] = [];
    if (this.#accept(close)) return items;
    do items.push(this.or(depth));
    while (this.#accept(','));
    this.#expect(close);
    return items;
  }
}

function normalize(op: string): string {
  if (op === '||') return 'OR';
  if (op === '&&') return 'AND';
  if (op === '!') return 'NOT';
  return op;
}
