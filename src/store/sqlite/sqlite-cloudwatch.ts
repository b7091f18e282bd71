import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  AlarmHistoryRecord,
  BlockRecord,
  AlarmRecord,
  CloudWatchRepository,
  MetricRecord,
} from '../cloudwatch-repository.ts';
import { sqliteDialect, type SqlDialect } from '../sql-dialect.ts';
import type { Database } from './schema.ts';
import { LastPuts, pruneBlocks, pruneMetrics, putDatapoints, readBlocks } from './sqlite-cloudwatch-blocks.ts';
import type { CwMetricsTable } from './sqlite-cloudwatch-schema.ts';

type Db = Kysely<Database>;

/** A write planned from a revision that is no longer the stored one: the transaction rolls back. */
class StaleRevision extends Error {}

/** CloudWatch in SQLite (and PostgreSQL): datapoints in sqlite-cloudwatch-blocks.ts, alarms here. */
export class SqliteCloudWatch implements CloudWatchRepository {
  readonly #db: Db;
  readonly #dialect: SqlDialect;
  readonly #lastPuts = new LastPuts();
  constructor(db: Db, dialect: SqlDialect = sqliteDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  putDatapoints(
    metrics: readonly MetricRecord[],
    blocks: readonly BlockRecord[],
    merge: (stored: Uint8Array, added: Uint8Array) => Uint8Array,
  ): Promise<void> {
    return putDatapoints(this.#db, this.#dialect, { metrics, blocks, merge, lastPuts: this.#lastPuts });
  }

  async listMetrics(query: {
    namespace?: string;
    metricName?: string;
    activeSince?: Date;
    after?: string;
    limit: number;
  }): Promise<MetricRecord[]> {
    let select = this.#db
      .selectFrom('cw_metrics')
      .selectAll()
      .orderBy('metric_key')
      .limit(sql.lit(Math.max(1, Math.floor(query.limit))));
    if (query.namespace !== undefined) select = select.where('namespace', '=', query.namespace);
    if (query.metricName !== undefined) select = select.where('metric_name', '=', query.metricName);
    if (query.activeSince) select = select.where('last_put_at', '>=', query.activeSince.getTime());
    if (query.after !== undefined) select = select.where('metric_key', '>', query.after);
    return (await select.execute()).map(fromMetricRow);
  }

  async getMetrics(keys: readonly string[]): Promise<MetricRecord[]> {
    if (keys.length === 0) return [];
    const rows = await this.#db.selectFrom('cw_metrics').selectAll().where('metric_key', 'in', keys).execute();
    return rows.map(fromMetricRow);
  }

  readBlocks(keys: readonly string[], query: { resolution: number; from: Date; to: Date }): Promise<BlockRecord[]> {
    return readBlocks(this.#db, this.#dialect, keys, query);
  }

  pruneBlocks(
    resolution: number,
    before: Date,
    trim: (block: { start: Date; body: Uint8Array }) => { body: Uint8Array | undefined; removed: number },
  ): Promise<number> {
    return pruneBlocks(this.#db, resolution, before, trim);
  }

  pruneMetrics(before: Date): Promise<number> {
    return pruneMetrics(this.#db, before, this.#lastPuts);
  }

  async getAlarm(name: string): Promise<AlarmRecord | undefined> {
    return (await this.getAlarms([name]))[0];
  }

  async getAlarms(names: readonly string[]): Promise<AlarmRecord[]> {
    if (names.length === 0) return [];
    const rows = await this.#db
      .selectFrom('cw_alarms')
      .selectAll()
      .where('name', 'in', names)
      .orderBy('name')
      .execute();
    return rows.map(fromAlarmRow);
  }

  async listAlarms(query: { prefix?: string; after?: string; limit: number }): Promise<AlarmRecord[]> {
    let select = this.#db
      .selectFrom('cw_alarms')
      .selectAll()
      .orderBy('name')
      .limit(sql.lit(Math.max(1, Math.floor(query.limit))));
    if (query.prefix) select = select.where('name', '>=', query.prefix);
    if (query.after !== undefined) select = select.where('name', '>', query.after);
    const rows = await select.execute();
    // Names may hold any character: the prefix is checked exactly here, after the range start.
    const prefix = query.prefix ?? '';
    return rows.filter((row) => row.name.startsWith(prefix)).map(fromAlarmRow);
  }

  async writeAlarm(
    alarm: { name: string; body: Readonly<Record<string, unknown>> },
    options: { expectRevision: number | undefined; history?: readonly AlarmHistoryRecord[] },
  ): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        const stored = await trx
          .selectFrom('cw_alarms')
          .select('revision')
          .where('name', '=', alarm.name)
          .executeTakeFirst();
        if (stored?.revision !== options.expectRevision) throw new StaleRevision();
        const body = JSON.stringify(alarm.body);
        if (stored === undefined) {
          await trx.insertInto('cw_alarms').values({ name: alarm.name, revision: 1, body }).execute();
        } else {
          await trx
            .updateTable('cw_alarms')
            .set({ revision: stored.revision + 1, body })
            .where('name', '=', alarm.name)
            .execute();
        }
        await insertHistory(trx, options.history ?? []);
      });
      return true;
    } catch (error) {
      if (error instanceof StaleRevision) return false;
      throw error;
    }
  }

  async appendHistory(items: readonly AlarmHistoryRecord[]): Promise<void> {
    await this.#db.transaction().execute((trx) => insertHistory(trx, items));
  }

  async deleteAlarms(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.#db.deleteFrom('cw_alarms').where('name', 'in', names).execute();
  }

  async listHistory(query: {
    alarmName?: string;
    itemType?: string;
    from: Date;
    to: Date;
    descending: boolean;
    after?: string;
    limit: number;
  }): Promise<AlarmHistoryRecord[]> {
    let select = this.#db
      .selectFrom('cw_alarm_history')
      .selectAll()
      .where('timestamp', '>=', query.from.getTime())
      .where('timestamp', '<', query.to.getTime())
      .orderBy('id', query.descending ? 'desc' : 'asc')
      .limit(sql.lit(Math.max(1, Math.floor(query.limit))));
    if (query.alarmName !== undefined) select = select.where('alarm_name', '=', query.alarmName);
    if (query.itemType !== undefined) select = select.where('item_type', '=', query.itemType);
    if (query.after !== undefined) select = select.where('id', query.descending ? '<' : '>', query.after);
    const rows = await select.execute();
    return rows.map((row) => ({
      id: row.id,
      alarmName: row.alarm_name,
      timestamp: new Date(row.timestamp),
      itemType: row.item_type,
      body: JSON.parse(row.body) as Record<string, unknown>,
    }));
  }

  async pruneHistory(before: Date): Promise<number> {
    const result = await this.#db
      .deleteFrom('cw_alarm_history')
      .where('timestamp', '<', before.getTime())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

async function insertHistory(trx: Transaction<Database>, items: readonly AlarmHistoryRecord[]): Promise<void> {
  if (items.length === 0) return;
  await trx
    .insertInto('cw_alarm_history')
    .values(
      items.map((item) => ({
        id: item.id,
        alarm_name: item.alarmName,
        timestamp: item.timestamp.getTime(),
        item_type: item.itemType,
        body: JSON.stringify(item.body),
      })),
    )
    .execute();
}

function fromMetricRow(row: Selectable<CwMetricsTable>): MetricRecord {
  return {
    key: row.metric_key,
    namespace: row.namespace,
    metricName: row.metric_name,
    dimensions: JSON.parse(row.dimensions) as MetricRecord['dimensions'],
    lastPutAt: new Date(Number(row.last_put_at)),
  };
}

function fromAlarmRow(row: { name: string; revision: number; body: string }): AlarmRecord {
  return { name: row.name, revision: Number(row.revision), body: JSON.parse(row.body) as Record<string, unknown> };
}
