import { sql, type Kysely, type Selectable } from 'kysely';
import type { CapacityProviderRecord, CapacityProviderRepository, Page } from '../store.ts';
import type { CapacityProvidersTable, Database } from './schema.ts';

export class SqliteCapacityProviders implements CapacityProviderRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(record: CapacityProviderRecord): Promise<boolean> {
    const row = toRow(record);
    const result = await this.#db
      .insertInto('capacity_providers')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ arn: row.arn, status: row.status, body: row.body })
          .where('capacity_providers.status', '=', 'INACTIVE'),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(record: CapacityProviderRecord): Promise<void> {
    const { name, ...rest } = toRow(record);
    await this.#db.updateTable('capacity_providers').set(rest).where('name', '=', name).execute();
  }

  async get(names: readonly string[]): Promise<CapacityProviderRecord[]> {
    if (names.length === 0) return [];
    return (await this.#db.selectFrom('capacity_providers').selectAll().where('name', 'in', names).execute()).map(
      fromRow,
    );
  }

  async list(page: Page): Promise<CapacityProviderRecord[]> {
    let query = this.#db.selectFrom('capacity_providers').selectAll().orderBy('name').limit(sql.lit(page.limit));
    if (page.after !== undefined) query = query.where('name', '>', page.after);
    return (await query.execute()).map(fromRow);
  }
}

function toRow(record: CapacityProviderRecord): CapacityProvidersTable {
  return { name: record.name, arn: record.arn, status: record.status, body: JSON.stringify(record.body) };
}

function fromRow(row: Selectable<CapacityProvidersTable>): CapacityProviderRecord {
  return { name: row.name, arn: row.arn, status: row.status, body: JSON.parse(row.body) as Record<string, unknown> };
}
