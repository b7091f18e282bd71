import { LinearRegExp } from '../shared/linear-regexp.ts';
import { InvalidParameterException } from './errors.ts';

/* The literals filter patterns share: quoted strings, %regex%, and the error for a bad pattern. */

/** A double-quoted string starting at `start`; backslash escapes the next character. */
export function readQuoted(pattern: string, start: number): { text: string; end: number } {
  let text = '';
  for (let i = start + 1; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      text += pattern[++i];
    } else if (c === '"') {
      return { text, end: i + 1 };
    } else {
      text += c;
    }
  }
  throw invalidPattern(`unterminated quoted string at position ${start + 1}`);
}

/*
 * What AWS documents for %regex%: at most two in one filter pattern, made of ASCII letters and
 * digits, the symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + . (no parentheses,
 * no multi-byte characters). Berth also keeps accepting the space it always did ("%ERROR 4[01]9%").
 * They run on RE2, in time linear in the message.
 */
export const MAX_REGEXES_PER_PATTERN = 2;
const REGEX_CHARACTER = /[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+. ]/;

export function compileRegex(source: string): LinearRegExp {
  if (source === '') throw invalidPattern('empty regular expression');
  const unsupported = [...source].find((c) => !REGEX_CHARACTER.test(c));
  if (unsupported !== undefined) {
    throw invalidPattern(`'${unsupported}' is not supported in a regular expression (%${source}%)`);
  }
  try {
    return new LinearRegExp(source);
  } catch (error) {
    throw invalidPattern(`invalid regular expression %${source}%: ${(error as Error).message}`);
  }
}

/** Refuses the filter pattern once it holds more regular expressions than AWS allows. */
export function checkRegexCount(count: number): void {
  if (count > MAX_REGEXES_PER_PATTERN)
    throw invalidPattern(`a filter pattern can hold at most ${MAX_REGEXES_PER_PATTERN} regular expressions`);
}

export function invalidPattern(reason: string): InvalidParameterException {
  return new InvalidParameterException(`Invalid filter pattern: ${reason}.`);
}
