import type { Kysely, Selectable } from 'kysely';
import type { ElbChange, ElbRepository, ElbResourceKind, ElbResourceRecord } from '../elb-repository.ts';
import type { Database, ElbResourcesTable } from './schema.ts';

export class SqliteElb implements ElbRepository {
  readonly #db: Kysely<Database>;
  readonly #onChange: (() => void) | undefined;
  /** `onChange` hears of each committed write (PostgresStore tells the other servers' data planes). */
  constructor(db: Kysely<Database>, options: { onChange?: () => void } = {}) {
    this.#db = db;
    this.#onChange = options.onChange;
  }

  async get(arns: readonly string[]): Promise<ElbResourceRecord[]> {
    if (arns.length === 0) return [];
    const rows = await this.#db.selectFrom('elb_resources').selectAll().where('arn', 'in', arns).execute();
    return rows.map(fromRow);
  }

  async list(kind?: ElbResourceKind): Promise<ElbResourceRecord[]> {
    let query = this.#db.selectFrom('elb_resources').selectAll().orderBy('kind').orderBy('name').orderBy('arn');
    if (kind !== undefined) query = query.where('kind', '=', kind);
    return (await query.execute()).map(fromRow);
  }

  async write(change: ElbChange): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const removed = change.remove ?? [];
      // Chunks stay under SQLite's limit on bound parameters.
      for (let i = 0; i < removed.length; i += 500) {
        await trx
          .deleteFrom('elb_resources')
          .where('arn', 'in', removed.slice(i, i + 500))
          .execute();
      }
      for (const record of change.put ?? []) {
        const row = toRow(record);
        await trx
          .insertInto('elb_resources')
          .values(row)
          .onConflict((oc) =>
            oc
              .column('arn')
              .doUpdateSet({ name: row.name, parent_arn: row.parent_arn, body: row.body, tags: row.tags }),
          )
          .execute();
      }
    });
    this.#onChange?.();
  }
}

function toRow(record: ElbResourceRecord): ElbResourcesTable {
  return {
    arn: record.arn,
    kind: record.kind,
    name: record.name ?? null,
    parent_arn: record.parentArn ?? null,
    created_at: record.createdAt.getTime(),
    body: JSON.stringify(record.body),
    tags: JSON.stringify(record.tags),
  };
}

function fromRow(row: Selectable<ElbResourcesTable>): ElbResourceRecord {
  return {
    arn: row.arn,
    kind: row.kind as ElbResourceKind,
    name: row.name ?? undefined,
    parentArn: row.parent_arn ?? undefined,
    createdAt: new Date(Number(row.created_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
    tags: JSON.parse(row.tags) as ElbResourceRecord['tags'],
  };
}
