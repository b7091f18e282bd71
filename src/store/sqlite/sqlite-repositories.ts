import { sql, type Kysely, type Selectable } from 'kysely';
import type { Page, RepositoryRecord, RepositoryRepository } from '../store.ts';
import type { Database, RepositoriesTable } from './schema.ts';

export class SqliteRepositories implements RepositoryRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insertIfAbsent(record: RepositoryRecord): Promise<{ record: RepositoryRecord; created: boolean }> {
    const inserted = await this.#db
      .insertInto('repositories')
      .values({
        name: record.name,
        arn: record.arn,
        created_at: record.createdAt.getTime(),
        details: JSON.stringify(record.details),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { record, created: true };
    return { record: (await this.get(record.name))!, created: false };
  }

  async get(name: string): Promise<RepositoryRecord | undefined> {
    const row = await this.#db.selectFrom('repositories').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async getByNames(names: readonly string[]): Promise<RepositoryRecord[]> {
    if (names.length === 0) return [];
    return (await this.#db.selectFrom('repositories').selectAll().where('name', 'in', names).execute()).map(fromRow);
  }

  async list(page: Page): Promise<RepositoryRecord[]> {
    let query = this.#db.selectFrom('repositories').selectAll().orderBy('name').limit(sql.lit(page.limit));
    if (page.after !== undefined) query = query.where('name', '>', page.after);
    return (await query.execute()).map(fromRow);
  }

  async delete(name: string): Promise<boolean> {
    // Foreign keys cascade to manifests (and their references and tags), blob links and uploads.
    const result = await this.#db.deleteFrom('repositories').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async update(name: string, details: Readonly<Record<string, unknown>>): Promise<void> {
    await this.#db
      .updateTable('repositories')
      .set({ details: JSON.stringify(details) })
      .where('name', '=', name)
      .execute();
  }
}

function fromRow(row: Selectable<RepositoriesTable>): RepositoryRecord {
  return {
    name: row.name,
    arn: row.arn,
    createdAt: new Date(Number(row.created_at)),
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
