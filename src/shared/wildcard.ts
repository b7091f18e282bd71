/** A whole-value matcher for a pattern where `*` matches any run of characters (nothing else is special). */
export function wildcardPattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}
