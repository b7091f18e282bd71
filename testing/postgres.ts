import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SecretBox } from '../src/shared/secret-box.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';

/**
 * The PostgreSQL the store tests use: BERTH_TEST_POSTGRES_URL (.ci/run starts a throwaway cluster
 * and sets it). Unset, the PostgreSQL tests skip, except in CI (CI=true), where that is a failure.
 */
export function postgresTestUrl(): { url: string } | { skip: string } {
  const url = process.env.BERTH_TEST_POSTGRES_URL;
  if (url) return { url };
  const reason = 'BERTH_TEST_POSTGRES_URL is not set (a postgres:// URL of a database the tests may create schemas in)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return { skip: reason };
}

/**
 * Opens PostgresStores, each on a schema of its own (berth_test_<random>), so test files and tests
 * never see each other's data; dropAll() removes every schema made.
 */
export class PostgresTestSchemas {
  readonly #url: string;
  readonly #schemas: string[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  /** A new, empty schema's name. */
  newSchema(): string {
    const schema = `berth_test_${randomBytes(6).toString('hex')}`;
    this.#schemas.push(schema);
    return schema;
  }

  open(
    options: { schema?: string; secretBox?: SecretBox; poolSize?: number; url?: string; multiServer?: boolean } = {},
  ): Promise<PostgresStore> {
    return PostgresStore.open(options.url ?? this.#url, {
      schema: options.schema ?? this.newSchema(),
      secretBox: options.secretBox ?? SecretBox.ephemeral(),
      poolSize: options.poolSize,
      multiServer: options.multiServer,
    });
  }

  /** Runs one query on its own connection (to look at what the store wrote). */
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.#url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  async dropAll(): Promise<void> {
    for (const schema of this.#schemas.splice(0)) await this.query(`drop schema if exists "${schema}" cascade`);
  }
}
