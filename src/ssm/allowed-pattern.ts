import { LinearRegExp } from '../shared/linear-regexp.ts';
import { InvalidAllowedPatternException, ParameterPatternMismatchException } from './errors.ts';

/*
 * AllowedPattern is a regular expression the caller writes: it runs on the linear-time engine
 * (shared/linear-regexp.ts), never on a backtracking RegExp, so a pattern like (a+)+$ cannot stall
 * the server. It is searched in the value, as AWS's own examples (^\d+$) anchor it themselves.
 */

export function compileAllowedPattern(pattern: string): LinearRegExp {
  try {
    return new LinearRegExp(pattern);
  } catch (error) {
    throw new InvalidAllowedPatternException(`The allowed pattern is not valid: ${(error as Error).message}`);
  }
}

/** Throws ParameterPatternMismatchException when `value` does not match `pattern`. */
export function checkAllowedPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === '') return;
  if (!compileAllowedPattern(pattern).test(value)) throw ParameterPatternMismatchException.of(pattern);
}
