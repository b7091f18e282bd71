/*
 * ALB's certificate choice for a TLS connection: the certificate whose name equals the client's
 * server name (SNI), else one whose wildcard covers it (*.example.com: one label, not
 * example.com itself), else the listener's default certificate. Names compare case-insensitively;
 * among several matches the first listed wins (the default certificate is listed first).
 */

export interface SniIndex<T> {
  readonly exact: ReadonlyMap<string, T>;
  /** By the suffix after "*.", e.g. "example.com". */
  readonly wildcard: ReadonlyMap<string, T>;
  readonly fallback: T;
}

/** `entries` in listing order, the default one first (it is also the fallback). */
export function sniIndex<T>(entries: readonly { readonly names: readonly string[]; readonly value: T }[]): SniIndex<T> {
  const exact = new Map<string, T>();
  const wildcard = new Map<string, T>();
  for (const { names, value } of entries) {
    for (const raw of names) {
      const name = raw.toLowerCase().replace(/\.$/, '');
      const map = name.startsWith('*.') ? wildcard : exact;
      const key = name.startsWith('*.') ? name.slice(2) : name;
      if (!map.has(key)) map.set(key, value);
    }
  }
  return { exact, wildcard, fallback: entries[0]!.value };
}

export function chooseBySni<T>(index: SniIndex<T>, serverName: string | undefined): T {
  if (!serverName) return index.fallback;
  const name = serverName.toLowerCase().replace(/\.$/, '');
  const exact = index.exact.get(name);
  if (exact !== undefined) return exact;
  const dot = name.indexOf('.');
  const covered = dot > 0 ? index.wildcard.get(name.slice(dot + 1)) : undefined;
  return covered ?? index.fallback;
}
