import { RE2JS } from 're2js';

/*
 * Regular expressions that users write (CloudWatch Logs %regex% terms, the cluster query language's
 * =~ and !~) run on re2js, a pure-JavaScript port of RE2: matching takes time linear in the input
 * whatever the pattern, where a backtracking RegExp can take exponential time (`(a+)+$`). RE2 has no
 * backreferences or lookaround; a pattern that uses them is a syntax error here.
 */
export class LinearRegExp {
  readonly source: string;
  /** The whole value must match (Java's Pattern.matches), not just some part of it. */
  readonly whole: boolean;
  readonly #compiled: RE2JS;

  /** Throws a SyntaxError with RE2's reason when the pattern does not compile. */
  constructor(source: string, options: { whole?: boolean } = {}) {
    this.source = source;
    this.whole = options.whole ?? false;
    try {
      this.#compiled = RE2JS.compile(source);
    } catch (error) {
      throw new SyntaxError((error as Error).message, { cause: error });
    }
  }

  test(value: string): boolean {
    return this.whole ? this.#compiled.testExact(value) : this.#compiled.test(value);
  }
}
