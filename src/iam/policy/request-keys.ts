/**
 * A request's condition keys as the evaluator reads them: names folded to lower case (IAM compares
 * key names case-insensitively, the key part of aws:RequestTag/KEY and aws:PrincipalTag/KEY
 * included), every value a list. Built at most once per evaluation, and only when a statement
 * whose action and resource match has a condition or a policy variable.
 */
export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

export class RequestKeys {
  readonly #values = new Map<string, readonly string[]>();

  constructor(context: ContextValues) {
    for (const key of Object.keys(context)) {
      const value = context[key]!;
      this.#values.set(key.toLowerCase(), typeof value === 'string' ? [value] : value);
    }
  }

  /** The values of a key (name already lower-cased); undefined when the request has none. */
  get(key: string): readonly string[] | undefined {
    return this.#values.get(key);
  }

  /** A policy variable's value: the key's single value, or undefined (absent or multivalued). */
  single(key: string): string | undefined {
    const values = this.#values.get(key);
    return values !== undefined && values.length === 1 ? values[0] : undefined;
  }
}
