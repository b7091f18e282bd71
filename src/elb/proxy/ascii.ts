/**
 * Allocation-free helpers for header text (latin1 strings), for the proxy's per-request path:
 * comparing a field name without lower-casing a copy, and slicing a value without its whitespace.
 */

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
