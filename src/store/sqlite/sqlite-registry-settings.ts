import type { Kysely } from 'kysely';
import type { RegistrySettingRepository } from '../registry-setting-repository.ts';
import type { Database } from './schema.ts';

/**
 * The registry settings, read from SQLite once and then served from memory: the registry policy is
 * consulted on every ECR and registry request. The cache stays true because the server owns its
 * database alone (locking_mode=EXCLUSIVE) and every write goes through here, the cache changing
 * only after the write has committed. Values are kept as JSON text, so a caller never holds (and
 * never mutates) the cached value itself.
 */
export class SqliteRegistrySettings implements RegistrySettingRepository {
  readonly #db: Kysely<Database>;
  #cache: Promise<Map<string, string>> | undefined;
  readonly #onChange: (() => void) | undefined;

  /** `onChange` hears of each write (PostgresStore tells the other servers, whose caches are then stale). */
  constructor(db: Kysely<Database>, options: { onChange?: () => void } = {}) {
    this.#db = db;
    this.#onChange = options.onChange;
  }

  /** Drops the cache (another server wrote): the next read loads the table again. */
  invalidate(): void {
    this.#cache = undefined;
  }

  #load(): Promise<Map<string, string>> {
    this.#cache ??= this.#db
      .selectFrom('registry_settings')
      .selectAll()
      .execute()
      .then((rows) => new Map(rows.map((r) => [r.name, r.value])))
      .catch((error: unknown) => {
        this.#cache = undefined; // a failed read is tried again next time
        throw error;
      });
    return this.#cache;
  }

  async get(name: string): Promise<unknown> {
    const text = (await this.#load()).get(name);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async put(name: string, value: unknown): Promise<void> {
    const cache = await this.#load();
    const text = JSON.stringify(value);
    await this.#db
      .insertInto('registry_settings')
      .values({ name, value: text })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: text }))
      .execute();
    cache.set(name, text);
    this.#onChange?.();
  }

  async delete(name: string): Promise<unknown> {
    const cache = await this.#load();
    const row = await this.#db
      .deleteFrom('registry_settings')
      .where('name', '=', name)
      .returning('value')
      .executeTakeFirst();
    cache.delete(name);
    this.#onChange?.();
    return row === undefined ? undefined : JSON.parse(row.value);
  }
}
