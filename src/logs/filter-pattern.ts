import { InvalidParameterException } from './errors.ts';
import { compileJsonPattern } from './json-pattern.ts';
import { checkRegexCount, compileRegex, invalidPattern, readQuoted } from './pattern-literals.ts';

/*
 * CloudWatch Logs filter patterns (FilterLogEvents), compiled once per call into a predicate on
 * the message:
 *   ""                       every event
 *   ERROR Exception          events containing every term (case-sensitive)
 *   "Internal Error" code    quoted phrases are terms too; so are %regex% terms (RE2, two at most)
 *   ?ERROR ?WARN             events containing at least one of the ?-terms
 *   ERROR -Retry             events containing ERROR and not Retry
 *   { $.level = "error" }    JSON events, see json-pattern.ts
 * Terms match anywhere in the message. Space-delimited patterns ([w1, w2, ...]) are not
 * supported yet and are refused rather than matched wrongly.
 */

export type MessageMatcher = (message: string) => boolean;

interface Term {
  readonly kind: 'required' | 'optional' | 'excluded';
  readonly test: MessageMatcher;
}

export function compileFilterPattern(pattern: string): MessageMatcher {
  const trimmed = pattern.trim();
  if (trimmed === '') return () => true;
  if (trimmed.startsWith('{')) return compileJsonPattern(trimmed);
  if (trimmed.startsWith('[')) {
    throw new InvalidParameterException(
      'Space-delimited filter patterns ([...]) are not supported by Berth yet: use terms or a JSON pattern.',
    );
  }
  const terms = parseTerms(trimmed);
  const required = terms.filter((t) => t.kind === 'required').map((t) => t.test);
  const optional = terms.filter((t) => t.kind === 'optional').map((t) => t.test);
  const excluded = terms.filter((t) => t.kind === 'excluded').map((t) => t.test);
  return (message) =>
    required.every((test) => test(message)) &&
    !excluded.some((test) => test(message)) &&
    (optional.length === 0 || optional.some((test) => test(message)));
}

export function parseTerms(pattern: string): Term[] {
  const terms: Term[] = [];
  let regexes = 0;
  let i = 0;
  while (i < pattern.length) {
    if (/\s/.test(pattern[i]!)) {
      i++;
      continue;
    }
    let kind: Term['kind'] = 'required';
    if ((pattern[i] === '?' || pattern[i] === '-') && i + 1 < pattern.length && !/\s/.test(pattern[i + 1]!)) {
      kind = pattern[i] === '?' ? 'optional' : 'excluded';
      i++;
    }
    if (pattern[i] === '%') checkRegexCount(++regexes);
    const { test, end } = readTerm(pattern, i);
    terms.push({ kind, test });
    i = end;
  }
  return terms;
}

function readTerm(pattern: string, start: number): { test: MessageMatcher; end: number } {
  if (pattern[start] === '"') {
    const { text, end } = readQuoted(pattern, start);
    return { test: contains(text), end };
  }
  if (pattern[start] === '%') {
    const close = pattern.indexOf('%', start + 1);
    if (close < 0) throw invalidPattern(`unterminated regular expression at position ${start + 1}`);
    const regex = compileRegex(pattern.slice(start + 1, close));
    return { test: (message) => regex.test(message), end: close + 1 };
  }
  let end = start;
  while (end < pattern.length && !/\s/.test(pattern[end]!)) end++;
  const text = pattern.slice(start, end);
  if (text.includes('"')) throw invalidPattern(`unexpected '"' in term '${text}'`);
  return { test: contains(text), end };
}

function contains(text: string): MessageMatcher {
  return (message) => message.includes(text);
}
