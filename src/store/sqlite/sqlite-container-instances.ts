import { sql, type Kysely, type Selectable } from 'kysely';
import type { ContainerInstanceRecord, ContainerInstanceRepository, TaskRecord } from '../store.ts';
import { sqliteDialect, type SqlDialect } from '../sql-dialect.ts';
import { taskRow } from './sqlite-tasks.ts';
import type { ContainerInstancesTable, Database } from './schema.ts';

/**
 * Container instances change rarely (registration, attributes, draining) but placement reads all of
 * a cluster's on every RunTask: lists are kept, parsed and frozen, until the next write here (the
 * only writer: the server owns its database file).
 */
export class SqliteContainerInstances implements ContainerInstanceRepository {
  readonly #db: Kysely<Database>;
  readonly #dialect: SqlDialect;
  readonly #lists = new Map<string, readonly ContainerInstanceRecord[]>();
  #generation = 0;
  readonly #onChange: (() => void) | undefined;
  /** `onChange` hears of each write (PostgresStore tells the other servers, whose lists are then stale). */
  constructor(db: Kysely<Database>, dialect: SqlDialect = sqliteDialect, options: { onChange?: () => void } = {}) {
    this.#db = db;
    this.#dialect = dialect;
    this.#onChange = options.onChange;
  }

  #changed(): void {
    this.invalidate();
    this.#onChange?.();
  }

  /** Drops the cached lists (another server wrote). */
  invalidate(): void {
    this.#generation++;
    this.#lists.clear();
  }

  async deregister(record: ContainerInstanceRecord, orphanedTasks: readonly TaskRecord[]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const task of orphanedTasks) {
        const { id, ...rest } = taskRow(task);
        await trx.updateTable('tasks').set(rest).where('id', '=', id).execute();
      }
      await trx
        .updateTable('container_instances')
        .set({ status: record.status, body: JSON.stringify(record.body) })
        .where('id', '=', record.id)
        .execute();
    });
    this.#changed();
  }

  async put(record: ContainerInstanceRecord): Promise<void> {
    const row = {
      id: record.id,
      cluster: record.cluster,
      arn: record.arn,
      status: record.status,
      registered_at: record.registeredAt.getTime(),
      body: JSON.stringify(record.body),
    };
    await this.#db
      .insertInto('container_instances')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ status: row.status, body: row.body, cluster: row.cluster }))
      .execute();
    this.#changed();
  }

  async get(cluster: string, ids: readonly string[]): Promise<ContainerInstanceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db
      .selectFrom('container_instances')
      .selectAll()
      .where('cluster', '=', cluster)
      .where('id', 'in', ids)
      .execute();
    return rows.map(fromRow);
  }

  async list(
    cluster: string,
    options: { status?: string | undefined; after?: string | undefined; limit: number },
  ): Promise<ContainerInstanceRecord[]> {
    let query = this.#db
      .selectFrom('container_instances')
      .selectAll()
      .where('cluster', '=', cluster)
      .orderBy('id')
      .limit(sql.lit(options.limit));
    query =
      options.status !== undefined
        ? query.where('status', '=', options.status)
        : query.where('status', 'in', ['ACTIVE', 'DRAINING']);
    if (options.after !== undefined) query = query.where('id', '>', options.after);
    const key = JSON.stringify([cluster, options.status, options.after, options.limit]);
    const kept = this.#lists.get(key);
    if (kept) return [...kept];
    const generation = this.#generation;
    const records = (await query.execute()).map((row) => deepFreeze(fromRow(row)));
    // A write that landed while this read ran may be missing from it: keep only a list read after the last write.
    if (generation === this.#generation) {
      if (this.#lists.size >= 64) this.#lists.clear();
      this.#lists.set(key, records);
    }
    return [...records];
  }

  async countRegistered(cluster: string): Promise<number> {
    const row = await this.#db
      .selectFrom('container_instances')
      .select(({ fn }) => fn.countAll<number>().as('count'))
      .where('cluster', '=', cluster)
      .where('status', 'in', ['ACTIVE', 'DRAINING'])
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async byEc2InstanceIds(ec2InstanceIds: readonly string[]): Promise<ContainerInstanceRecord[]> {
    if (ec2InstanceIds.length === 0) return [];
    // Rare (ELB target registration) and over few rows: a scan reading the JSON body, no index.
    const rows = await this.#db
      .selectFrom('container_instances')
      .selectAll()
      .where('status', 'in', ['ACTIVE', 'DRAINING'])
      .where(this.#dialect.jsonMember('body', 'ec2InstanceId'), 'in', ec2InstanceIds)
      .execute();
    return rows.map(fromRow);
  }
}

function fromRow(row: Selectable<ContainerInstancesTable>): ContainerInstanceRecord {
  return {
    id: row.id,
    cluster: row.cluster,
    arn: row.arn,
    status: row.status,
    registeredAt: new Date(Number(row.registered_at)),
    body: JSON.parse(row.body) as Record<string, unknown>,
  };
}

/** Kept records are shared by every reader: frozen, so that no reader can change another's. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
