import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, Migrator, SqliteDialect, type Insertable, type Selectable } from 'kysely';
import { migrations } from '../migrations/index.ts';
import type { ClusterRecord, ClusterRepository, ClusterStatus, MetadataStore, Page } from '../store.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';

interface ClustersTable {
  name: string;
  arn: string;
  status: string;
  created_at: number;
  details: string;
}

export interface Database {
  clusters: ClustersTable;
}

/**
 * The default store: one SQLite file in the data folder. WAL with synchronous=FULL, so a commit is
 * on disk before the API answers: neither kill -9 nor a power cut loses an acknowledged write.
 */
export class SqliteStore implements MetadataStore {
  readonly clusters: ClusterRepository;
  readonly #db: Kysely<Database>;

  private constructor(db: Kysely<Database>) {
    this.#db = db;
    this.clusters = new SqliteClusters(db);
  }

  /** Opens (creating if needed) and migrates the database at `path` (':memory:' for tests). */
  static async open(path: string): Promise<SqliteStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const raw = new DatabaseSync(path);
    raw.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    );
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(raw) }) });
    const { error, results } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
    }).migrateToLatest();
    if (error) {
      await db.destroy();
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`store migration ${failed} failed: ${(error as Error).message}`, { cause: error });
    }
    return new SqliteStore(db);
  }

  async ping(): Promise<void> {
    await this.#db.selectFrom('clusters').select('name').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

class SqliteClusters implements ClusterRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insertIfAbsent(record: ClusterRecord): Promise<{ record: ClusterRecord; created: boolean }> {
    const inserted = await this.#db
      .insertInto('clusters')
      .values(toRow(record))
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { record, created: true };
    const [existing] = await this.getByNames([record.name]);
    return { record: existing!, created: false };
  }

  async getByNames(names: readonly string[]): Promise<ClusterRecord[]> {
    if (names.length === 0) return [];
    const rows = await this.#db.selectFrom('clusters').selectAll().where('name', 'in', names).execute();
    return rows.map(fromRow);
  }

  async list(page: Page, options: { status?: ClusterStatus } = {}): Promise<ClusterRecord[]> {
    let query = this.#db.selectFrom('clusters').selectAll().orderBy('name').limit(page.limit);
    if (page.after !== undefined) query = query.where('name', '>', page.after);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    return (await query.execute()).map(fromRow);
  }
}

function toRow(record: ClusterRecord): Insertable<ClustersTable> {
  return {
    name: record.name,
    arn: record.arn,
    status: record.status,
    created_at: record.createdAt.getTime(),
    details: JSON.stringify(record.details),
  };
}

function fromRow(row: Selectable<ClustersTable>): ClusterRecord {
  return {
    name: row.name,
    arn: row.arn,
    status: row.status as ClusterStatus,
    createdAt: new Date(Number(row.created_at)),
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
