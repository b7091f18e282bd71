import { InvalidNextTokenException, ValidationException } from './errors.ts';

/** MaxResults/NextToken over a listing: the token is the offset of the next item. */
export function page<T>(
  all: readonly T[],
  input: { readonly MaxResults?: number | undefined; readonly NextToken?: string | undefined },
  limit: number,
): { items: T[]; next: string | undefined } {
  const max = input.MaxResults ?? limit;
  if (max < 1 || max > limit) throw new ValidationException(`MaxResults must be between 1 and ${limit}.`);
  let start = 0;
  if (input.NextToken !== undefined) {
    start = /^\d+$/.test(input.NextToken) ? Number(input.NextToken) : -1;
    if (start < 0 || start > all.length) throw new InvalidNextTokenException('The next token is not valid.');
  }
  const items = all.slice(start, start + max);
  const end = start + items.length;
  return { items, next: end < all.length ? String(end) : undefined };
}
