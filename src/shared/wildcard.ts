/*
 * Wildcard patterns (ELB rule conditions, ECR tag filters, repository policy actions, Logs JSON
 * values, the cluster query language), matched in time linear in the value whatever the pattern.
 * They used to be backtracking RegExps, where a dozen stars and an 81-byte request froze the process.
 *
 * `*` matches any run of characters and, with `questionMark`, `?` exactly one; every other character
 * matches itself, and the whole value must match. Characters are UTF-16 code units, and `ignoreCase`
 * folds them as JavaScript's /i does without /u: the meaning of the RegExps this replaced.
 *
 * The stars cut the pattern into segments of fixed length (literals and `?`s). The first segment must
 * sit at the start of the value, the last at its end, and each one between at its leftmost occurrence
 * after the one before. Leftmost is never wrong: in any match each segment sits at or after its
 * leftmost possible place, and moving one left only leaves more room for those after it.
 * Occurrences are found with Shift-And (Baeza-Yates and Gonnet's bitap): one bit per segment
 * character, so a character of the value costs ⌈segment length / 32⌉ word operations, and it handles
 * `?` as a character every mask admits. Each search starts where the previous occurrence ended, and
 * the middle searches only cover what the first and last segments leave: every character of the
 * value is looked at once at most.
 *
 * Bound: with a step being one character compared or one 32-bit word of Shift-And state updated,
 * matching a value of n characters takes at most n · max(1, ⌈L / 32⌉) steps, L the longest segment:
 * O(n) for a given pattern, however many stars it has. Compiling takes O(pattern length · ⌈L / 32⌉).
 */

export interface WildcardOptions {
  /** `?` matches exactly one character (ELB, IAM); without it `?` is an ordinary character (ECR). */
  readonly questionMark?: boolean;
  /** Compare as JavaScript's /i without /u does (ELB hosts, headers and query strings; IAM actions). */
  readonly ignoreCase?: boolean;
}

/** Stands for `?` among a segment's character codes. */
const ANY = -1;

interface Segment {
  /** Character codes, folded when the match ignores case; ANY for `?`. */
  readonly codes: Int32Array;
  /** Shift-And masks: bit j of a character's mask is set when position j admits the character. */
  readonly masks: ReadonlyMap<number, Uint32Array>;
  /** The masks of the ASCII characters, `words` apiece, so that the common case is no Map lookup. */
  readonly ascii: Uint32Array;
  /** The mask of a character the segment does not name: the `?` positions. */
  readonly others: Uint32Array;
  readonly words: number;
}

export class Wildcard {
  readonly source: string;
  readonly questionMark: boolean;
  readonly ignoreCase: boolean;
  readonly #first: Segment;
  /** The segments between the first and the last, empty ones (from `**`) left out. */
  readonly #middle: readonly Segment[];
  /** Undefined when the pattern has no star: the first segment is then the whole value. */
  readonly #last: Segment | undefined;
  /** Shift-And state of segments longer than 32 characters, reused (matching is synchronous). */
  readonly #state: Uint32Array;
  #steps = 0;

  constructor(source: string, options: WildcardOptions = {}) {
    this.source = source;
    this.questionMark = options.questionMark ?? false;
    this.ignoreCase = options.ignoreCase ?? false;
    const segments = source.split('*').map((text) => this.#segment(text));
    this.#first = segments[0]!;
    this.#last = segments.length > 1 ? segments[segments.length - 1] : undefined;
    this.#middle = segments.slice(1, -1).filter((segment) => segment.codes.length > 0);
    this.#state = new Uint32Array(Math.max(1, ...this.#middle.map((segment) => segment.words)));
  }

  test(value: string): boolean {
    this.#steps = 0;
    return this.#matches(value);
  }

  /** What `test` answers, and the steps it took (at most the bound above). */
  measure(value: string): { matched: boolean; steps: number } {
    const matched = this.test(value);
    return { matched, steps: this.#steps };
  }

  #matches(value: string): boolean {
    const first = this.#first;
    const last = this.#last;
    if (last === undefined) return value.length === first.codes.length && this.#isAt(first, value, 0);
    const end = value.length - last.codes.length;
    if (end < first.codes.length || !this.#isAt(first, value, 0) || !this.#isAt(last, value, end)) return false;
    let at = first.codes.length;
    for (const segment of this.#middle) {
      at = this.#endOfLeftmost(segment, value, at, end);
      if (at < 0) return false;
    }
    return true;
  }

  #isAt(segment: Segment, value: string, at: number): boolean {
    const codes = segment.codes;
    for (let j = 0; j < codes.length; j++) {
      this.#steps++;
      const code = codes[j]!;
      if (code !== ANY && code !== this.#code(value, at + j)) return false;
    }
    return true;
  }

  /** Where the segment's leftmost occurrence within value[from, to) ends, or -1. */
  #endOfLeftmost(segment: Segment, value: string, from: number, to: number): number {
    const { masks, ascii, others, words } = segment;
    const length = segment.codes.length;
    if (to - from < length) return -1;
    if (words === 1) return this.#endOfLeftmostShort(segment, value, from, to);
    const state = this.#state;
    state.fill(0, 0, words);
    const top = words - 1;
    const found = 1 << ((length - 1) & 31);
    for (let i = from; i < to; i++) {
      const code = this.#code(value, i);
      const mask = code < 0x80 ? ascii : (masks.get(code) ?? others);
      const base = code < 0x80 ? code * words : 0;
      // Bit j set: the last j + 1 characters match the segment's first j + 1.
      let carry = 1;
      for (let w = 0; w < words; w++) {
        const before = state[w]!;
        state[w] = ((before << 1) | carry) & mask[base + w]!;
        carry = before >>> 31;
      }
      if ((state[top]! & found) !== 0) {
        this.#steps += (i + 1 - from) * words;
        return i + 1;
      }
    }
    this.#steps += (to - from) * words;
    return -1;
  }

  /** #endOfLeftmost for a segment of 32 characters or fewer: the state fits in one number. */
  #endOfLeftmostShort(segment: Segment, value: string, from: number, to: number): number {
    const { masks, ascii, others } = segment;
    const found = 1 << (segment.codes.length - 1);
    let state = 0;
    for (let i = from; i < to; i++) {
      const code = this.#code(value, i);
      state = ((state << 1) | 1) & (code < 0x80 ? ascii[code]! : (masks.get(code) ?? others)[0]!);
      if ((state & found) !== 0) {
        this.#steps += i + 1 - from;
        return i + 1;
      }
    }
    this.#steps += to - from;
    return -1;
  }

  #code(value: string, at: number): number {
    const code = value.charCodeAt(at);
    return this.ignoreCase ? foldCase(code) : code;
  }

  #segment(text: string): Segment {
    const codes = new Int32Array(text.length);
    for (let j = 0; j < text.length; j++) {
      const code = text.charCodeAt(j);
      codes[j] = this.questionMark && code === 0x3f ? ANY : this.ignoreCase ? foldCase(code) : code;
    }
    const words = Math.ceil(text.length / 32);
    const others = new Uint32Array(words);
    for (let j = 0; j < codes.length; j++) if (codes[j] === ANY) setBit(others, j);
    const masks = new Map<number, Uint32Array>();
    for (let j = 0; j < codes.length; j++) {
      const code = codes[j]!;
      if (code === ANY) continue;
      const mask = masks.get(code) ?? others.slice();
      setBit(mask, j);
      masks.set(code, mask);
    }
    const ascii = new Uint32Array(0x80 * words);
    for (let code = 0; code < 0x80; code++) ascii.set(masks.get(code) ?? others, code * words);
    return { codes, masks, ascii, others, words };
  }
}

/** A matcher for the pattern; see above for what it means and what it costs. */
export function compileWildcard(pattern: string, options: WildcardOptions = {}): Wildcard {
  return new Wildcard(pattern, options);
}

function setBit(mask: Uint32Array, j: number): void {
  mask[j >>> 5] = mask[j >>> 5]! | (1 << (j & 31));
}

/** ECMA-262's Canonicalize for /i without /u: the single upper-case code unit, unless it leaves non-ASCII for ASCII. */
function foldCase(code: number): number {
  if (code < 0x80) return code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const folded = upper.charCodeAt(0);
  return folded < 0x80 ? code : folded;
}
