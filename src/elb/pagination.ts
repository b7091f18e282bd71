import { ValidationError } from './errors.ts';

/**
 * Marker/PageSize paging over an ordered list: the marker is the last key returned, opaque to the
 * caller (base64url), so a page stays right when resources come and go between calls.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: { Marker?: string | undefined; PageSize?: number | undefined },
): { page: T[]; nextMarker: string | undefined } {
  const size = input.PageSize ?? 400;
  let start = 0;
  if (input.Marker !== undefined) {
    const after = Buffer.from(input.Marker, 'base64url').toString('utf8');
    if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== input.Marker)
      throw new ValidationError('Invalid value for Marker');
    start = items.findIndex((item) => keyOf(item) > after);
    if (start === -1) start = items.length;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return { page, nextMarker: more ? Buffer.from(keyOf(page.at(-1)!), 'utf8').toString('base64url') : undefined };
}
