import { sql, type Kysely, type Selectable } from 'kysely';
import type { Page, ServiceRecord, ServiceRepository } from '../store.ts';
import type { GroupCommit } from './group-commit.ts';
import type { Database, ServicesTable } from './schema.ts';

export class SqliteServices implements ServiceRepository {
  readonly #db: Kysely<Database>;
  readonly #commits: GroupCommit;
  constructor(db: Kysely<Database>, commits: GroupCommit) {
    this.#db = db;
    this.#commits = commits;
  }

  async insert(record: ServiceRecord): Promise<boolean> {
    const row = toRow(record);
    const result = await this.#db
      .insertInto('services')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['cluster', 'name'])
          .doUpdateSet({ arn: row.arn, status: row.status, created_at: row.created_at, body: row.body })
          .where('services.status', '=', 'INACTIVE'),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(record: ServiceRecord): Promise<void> {
    const { cluster, name, ...rest } = toRow(record);
    await this.#commits.run(async (trx) => {
      await trx.updateTable('services').set(rest).where('cluster', '=', cluster).where('name', '=', name).execute();
    });
  }

  async replace(previous: ServiceRecord, next: ServiceRecord): Promise<boolean> {
    const { cluster, name, ...rest } = toRow(next);
    // Compared with the text as it was read: callers may have changed the record's body in place since.
    const was = readAs.get(previous) ?? toRow(previous);
    let replaced = false;
    await this.#commits.run(async (trx) => {
      const result = await trx
        .updateTable('services')
        .set(rest)
        .where('cluster', '=', cluster)
        .where('name', '=', name)
        .where('status', '=', was.status)
        .where('body', '=', was.body)
        .executeTakeFirst();
      replaced = Number(result.numUpdatedRows) > 0;
    });
    return replaced;
  }

  async get(cluster: string, names: readonly string[]): Promise<ServiceRecord[]> {
    if (names.length === 0) return [];
    const rows = await this.#db
      .selectFrom('services')
      .selectAll()
      .where('cluster', '=', cluster)
      .where('name', 'in', names)
      .execute();
    return rows.map(fromRow);
  }

  async list(cluster: string, page: Page): Promise<ServiceRecord[]> {
    let query = this.#db
      .selectFrom('services')
      .selectAll()
      .where('cluster', '=', cluster)
      .where('status', '!=', 'INACTIVE')
      .orderBy('name')
      .limit(sql.lit(page.limit));
    if (page.after !== undefined) query = query.where('name', '>', page.after);
    return (await query.execute()).map(fromRow);
  }

  async live(): Promise<ServiceRecord[]> {
    const rows = await this.#db.selectFrom('services').selectAll().where('status', '!=', 'INACTIVE').execute();
    return rows.map(fromRow);
  }

  async countActive(cluster: string): Promise<number> {
    const row = await this.#db
      .selectFrom('services')
      .select(({ fn }) => fn.countAll<number>().as('count'))
      .where('cluster', '=', cluster)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}

function toRow(record: ServiceRecord): ServicesTable {
  return {
    cluster: record.cluster,
    name: record.name,
    arn: record.arn,
    status: record.status,
    created_at: record.createdAt.getTime(),
    body: JSON.stringify(record.body),
  };
}

/** The stored status and body of each record read, for replace(). */
const readAs = new WeakMap<ServiceRecord, { status: string; body: string }>();

function fromRow(row: Selectable<ServicesTable>): ServiceRecord {
  const record = {
    cluster: row.cluster,
    name: row.name,
    arn: row.arn,
    status: row.status,
    createdAt: new Date(Number(row.created_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
  };
  readAs.set(record, { status: row.status, body: row.body });
  return record;
}
