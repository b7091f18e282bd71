import { randomInt } from 'node:crypto';
import { InvalidParameterException } from './errors.ts';
import type { GetRandomPasswordRequest, GetRandomPasswordResponse } from './shapes.generated.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * GetRandomPassword: 32 characters by default, from the character types not excluded, without
 * ExcludeCharacters, a space only when asked, and by default at least one of each included type;
 * every character from node:crypto's randomInt (no modulo bias).
 */
export function getRandomPassword(input: GetRandomPasswordRequest): GetRandomPasswordResponse {
  const length = input.PasswordLength ?? 32;
  const excluded = new Set(input.ExcludeCharacters ?? '');
  const types = [
    input.ExcludeLowercase ? '' : LOWER,
    input.ExcludeUppercase ? '' : UPPER,
    input.ExcludeNumbers ? '' : DIGITS,
    input.ExcludePunctuation ? '' : PUNCTUATION,
    input.IncludeSpace ? ' ' : '',
  ]
    .map((set) => [...set].filter((c) => !excluded.has(c)).join(''))
    .filter((set) => set.length > 0);
  if (types.length === 0)
    throw new InvalidParameterException('The password would be empty: every character type is excluded.');
  const requireEach = input.RequireEachIncludedType ?? true;
  if (requireEach && types.length > length)
    throw new InvalidParameterException(
      `The password length ${length} is too short to include a character of each of the ${types.length} included types.`,
    );
  const all = types.join('');
  const chars = Array.from({ length }, () => all[randomInt(all.length)]!);
  if (requireEach) {
    // One character of each type at distinct random positions (a Fisher-Yates draw of positions).
    const positions = Array.from({ length }, (_, i) => i);
    types.forEach((set, i) => {
      const j = i + randomInt(length - i);
      [positions[i], positions[j]] = [positions[j]!, positions[i]!];
      chars[positions[i]!] = set[randomInt(set.length)]!;
    });
  }
  return { RandomPassword: chars.join('') };
}
