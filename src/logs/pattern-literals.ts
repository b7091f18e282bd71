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

export function compileRegex(source: string): RegExp {
  if (source === '') throw invalidPattern('empty regular expression');
  try {
    return new RegExp(source, 'u');
  } catch (error) {
    throw invalidPattern(`invalid regular expression %${source}%: ${(error as Error).message}`);
  }
}

export function invalidPattern(reason: string): InvalidParameterException {
  return new InvalidParameterException(`Invalid filter pattern: ${reason}.`);
}
