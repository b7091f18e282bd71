/**
 * Helpers for header text (latin1), for the proxy's per-request path: finding a head in a buffer
 * with one native call, comparing a field name without lower-casing a copy, and slicing a value
 * without its whitespace.
 */

/** Buffers up to this size are turned into one string to find a head's end: one native call, not two. */
const SEARCH_AS_TEXT_BYTES = 4096;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * The HTTP head that starts at `start` in `buffer`: where its blank line begins (`end`) and its
 * text before that; undefined while the blank line has not arrived.
 */
export function headAt(buffer: Buffer, start: number): { readonly end: number; readonly text: string } | undefined {
  if (buffer.length <= SEARCH_AS_TEXT_BYTES) {
    const all = buffer.toString('latin1', 0, buffer.length);
    const end = all.indexOf('\r\n\r\n', start);
    return end === -1 ? undefined : { end, text: all.slice(start, end) };
  }
  const end = buffer.indexOf(HEAD_END, start);
  return end === -1 ? undefined : { end, text: buffer.toString('latin1', start, end) };
}

/** `text` equals `lower` (lower-case letters and '-') ignoring ASCII case, without a copy. */
export function equalsLowerCase(text: string, lower: string): boolean {
  if (text.length !== lower.length) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const wanted = lower.charCodeAt(index);
    // Only letters differ by 0x20 between cases; anything else must match exactly.
    if (code !== wanted && !(code >= 0x41 && code <= 0x5a && code + 0x20 === wanted)) return false;
  }
  return true;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** text[start, end) without leading and trailing spaces and tabs (RFC 9110's OWS). */
export function trimmedSlice(text: string, start: number, end: number): string {
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Byte classes, as bits: which bytes RFC 9110 and RFC 9112 allow in each part of a head. */
const TOKEN = 1; // tchar: field names (RFC 9110 §5.6.2)
const FIELD_VALUE = 2; // VCHAR, obs-text, SP, HTAB: no NUL, CR, LF or other control (RFC 9110 §5.5)
const METHOD = 4; // A-Z, '-' and '_': every registered method; no lower case (ALB answers 400)

const CLASSES = ((): Uint8Array => {
  const classes = new Uint8Array(256);
  const add = (codes: Iterable<number>, kind: number): void => {
    for (const code of codes) classes[code] = classes[code]! | kind;
  };
  const codesOf = (chars: string): number[] => [...chars].map((char) => char.charCodeAt(0));
  add(codesOf("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), TOKEN);
  const visible = Array.from({ length: 0xff - 0x20 }, (_, index) => index + 0x21).filter((code) => code !== 0x7f);
  add(visible, FIELD_VALUE);
  add([0x20, 0x09], FIELD_VALUE);
  add(codesOf('ABCDEFGHIJKLMNOPQRSTUVWXYZ-_'), METHOD);
  return classes;
})();

/** Every character of text[start, end) is of class `kind` (text is latin1: codes below 256). */
function allOf(text: string, start: number, end: number, kind: number): boolean {
  for (let index = start; index < end; index++) if ((CLASSES[text.charCodeAt(index)]! & kind) === 0) return false;
  return true;
}

/** text[start, end) is a token (a field name): at least one tchar, nothing else. */
export function isToken(text: string, start: number, end: number): boolean {
  return end > start && allOf(text, start, end, TOKEN);
}

/** text[start, end) may be a field value: no control character but HTAB, no DEL. */
export function isFieldValue(text: string, start: number, end: number): boolean {
  return allOf(text, start, end, FIELD_VALUE);
}

/** text[start, end) is a method as the listener accepts it: upper-case letters, '-' and '_'. */
export function isMethod(text: string, start: number, end: number): boolean {
  return end > start && allOf(text, start, end, METHOD);
}
