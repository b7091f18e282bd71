import { sql, type Kysely, type Selectable } from 'kysely';
import type { TaskDefinitionRecord, TaskDefinitionRepository, TaskDefinitionStatus } from '../store.ts';
import type { Database, TaskDefinitionsTable } from './schema.ts';

export class SqliteTaskDefinitions implements TaskDefinitionRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  registerNext(family: string, build: (revision: number) => TaskDefinitionRecord): Promise<TaskDefinitionRecord> {
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('task_definitions')
        .select(({ fn }) => fn.max('revision').as('last'))
        .where('family', '=', family)
        .executeTakeFirst();
      const record = build(Number(row?.last ?? 0) + 1);
      await trx.insertInto('task_definitions').values(toRow(record)).execute();
      return record;
    });
  }

  async get(family: string, revision: number): Promise<TaskDefinitionRecord | undefined> {
    const row = await this.#db
      .selectFrom('task_definitions')
      .selectAll()
      .where('family', '=', family)
      .where('revision', '=', revision)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async latestActive(family: string): Promise<TaskDefinitionRecord | undefined> {
    const row = await this.#db
      .selectFrom('task_definitions')
      .selectAll()
      .where('family', '=', family)
      .where('status', '=', 'ACTIVE')
      .orderBy('revision', 'desc')
      .limit(sql.lit(1))
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async list(options: Parameters<TaskDefinitionRepository['list']>[0]): Promise<TaskDefinitionRecord[]> {
    const direction = options.descending ? 'desc' : 'asc';
    let query = this.#db
      .selectFrom('task_definitions')
      .selectAll()
      .where('status', '=', options.status)
      .orderBy('family', direction)
      .orderBy('revision', direction)
      .limit(sql.lit(options.limit));
    if (options.familyPrefix) query = query.where(hasPrefix(options.familyPrefix));
    if (options.after) {
      const { family, revision } = options.after;
      query = options.descending
        ? query.where((eb) =>
            eb.or([eb('family', '<', family), eb.and([eb('family', '=', family), eb('revision', '<', revision)])]),
          )
        : query.where((eb) =>
            eb.or([eb('family', '>', family), eb.and([eb('family', '=', family), eb('revision', '>', revision)])]),
          );
    }
    return (await query.execute()).map(fromRow);
  }

  async families(options: Parameters<TaskDefinitionRepository['families']>[0]): Promise<string[]> {
    let query = this.#db
      .selectFrom('task_definitions')
      .select('family')
      .where('status', '!=', 'DELETE_IN_PROGRESS')
      .groupBy('family')
      .orderBy('family')
      .limit(sql.lit(options.limit));
    if (options.familyPrefix) query = query.where(hasPrefix(options.familyPrefix));
    if (options.after !== undefined) query = query.where('family', '>', options.after);
    if (options.status === 'ACTIVE')
      query = query.having(sql<number>`sum(case when status = 'ACTIVE' then 1 else 0 end)`, '>', 0);
    if (options.status === 'INACTIVE')
      query = query.having(sql<number>`sum(case when status = 'ACTIVE' then 1 else 0 end)`, '=', 0);
    return (await query.execute()).map((r) => r.family);
  }

  async update(record: TaskDefinitionRecord): Promise<void> {
    const { family, revision, ...rest } = toRow(record);
    await this.#db
      .updateTable('task_definitions')
      .set(rest)
      .where('family', '=', family)
      .where('revision', '=', revision)
      .execute();
  }
}

/** An exact, case-sensitive prefix test (LIKE is case-insensitive in SQLite and treats '_' specially). */
function hasPrefix(prefix: string) {
  return sql<boolean>`substr(family, 1, ${prefix.length}) = ${prefix}`;
}

function toRow(record: TaskDefinitionRecord): TaskDefinitionsTable {
  return {
    family: record.family,
    revision: record.revision,
    arn: record.arn,
    status: record.status,
    registered_at: record.registeredAt.getTime(),
    body: JSON.stringify(record.body),
    tags: JSON.stringify(record.tags),
  };
}

function fromRow(row: Selectable<TaskDefinitionsTable>): TaskDefinitionRecord {
  return {
    family: row.family,
    revision: Number(row.revision),
    arn: row.arn,
    status: row.status as TaskDefinitionStatus,
    registeredAt: new Date(Number(row.registered_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
    tags: JSON.parse(row.tags) as { key?: string; value?: string }[],
  };
}
