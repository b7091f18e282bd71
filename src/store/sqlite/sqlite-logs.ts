import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type {
  AppendLogEventsResult,
  LogEventQuery,
  LogEventRecord,
  LogGroupRecord,
  LogRepository,
  LogStreamListing,
  LogStreamRecord,
  NewLogEvent,
} from '../log-repository.ts';
import { sqliteDialect, type LogEventRow, type SqlDialect } from '../sql-dialect.ts';
import type { LogGroupsTable, LogStreamsTable } from './logs-schema.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/**
 * Log groups, streams and events in SQLite (and PostgreSQL, with its dialect). A PutLogEvents batch
 * is one transaction: it takes a range of the group's seq numbers, inserts every event with one
 * statement (SqlDialect.insertLogEvents) and updates the stream's and the group's figures.
 */
export class SqliteLogs implements LogRepository {
  readonly #db: Db;
  readonly #dialect: SqlDialect;
  constructor(db: Db, dialect: SqlDialect = sqliteDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async createGroup(record: LogGroupRecord): Promise<boolean> {
    const inserted = await this.#db
      .insertInto('log_groups')
      .values({
        name: record.name,
        created_at: record.createdAt.getTime(),
        retention_in_days: record.retentionInDays ?? null,
        log_group_class: record.logGroupClass,
        tags: JSON.stringify(record.tags),
        details: JSON.stringify(record.details),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getGroup(name: string): Promise<LogGroupRecord | undefined> {
    const row = await this.#db.selectFrom('log_groups').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? groupFromRow(row) : undefined;
  }

  async listGroups(options: Parameters<LogRepository['listGroups']>[0]): Promise<LogGroupRecord[]> {
    if (options.names?.length === 0) return [];
    let query = this.#db
      .selectFrom('log_groups')
      .selectAll()
      .orderBy('name')
      .limit(sql.lit(safeLimit(options.limit)));
    if (options.namePrefix !== undefined) query = query.where(hasPrefix(sql.ref('name'), options.namePrefix));
    if (options.nameContains) query = query.where(this.#dialect.contains('name', options.nameContains));
    if (options.names) query = query.where('name', 'in', options.names);
    if (options.logGroupClass !== undefined) query = query.where('log_group_class', '=', options.logGroupClass);
    if (options.after !== undefined) query = query.where('name', '>', options.after);
    return (await query.execute()).map(groupFromRow);
  }

  async setRetention(name: string, days: number | undefined): Promise<boolean> {
    const result = await this.#db
      .updateTable('log_groups')
      .set({ retention_in_days: days ?? null })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setTags(name: string, tags: Readonly<Record<string, string>>): Promise<boolean> {
    const result = await this.#db
      .updateTable('log_groups')
      .set({ tags: JSON.stringify(tags) })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setDetails(name: string, details: Readonly<Record<string, unknown>>): Promise<boolean> {
    const result = await this.#db
      .updateTable('log_groups')
      .set({ details: JSON.stringify(details) })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async replaceDetails(
    name: string,
    expected: Readonly<Record<string, unknown>>,
    next: Readonly<Record<string, unknown>>,
  ): Promise<'replaced' | 'changed' | 'no-group'> {
    // details is always written as JSON.stringify's text, which parsing and stringifying keeps.
    const result = await this.#db
      .updateTable('log_groups')
      .set({ details: JSON.stringify(next) })
      .where('name', '=', name)
      .where('details', '=', JSON.stringify(expected))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return 'replaced';
    const row = await this.#db.selectFrom('log_groups').select('id').where('name', '=', name).executeTakeFirst();
    return row ? 'changed' : 'no-group';
  }

  deleteGroup(name: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const groupId = await groupIdOf(trx, name);
      if (groupId === undefined) return false;
      await trx.deleteFrom('log_events').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('log_streams').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('log_groups').where('id', '=', groupId).execute();
      return true;
    });
  }

  createStream(groupName: string, record: LogStreamRecord): Promise<'created' | 'exists' | 'no-group'> {
    return this.#db.transaction().execute(async (trx) => {
      const groupId = await groupIdOf(trx, groupName);
      if (groupId === undefined) return 'no-group';
      const inserted = await trx
        .insertInto('log_streams')
        .values({ group_id: groupId, name: record.name, created_at: record.createdAt.getTime() })
        .onConflict((oc) => oc.columns(['group_id', 'name']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 ? 'created' : 'exists';
    });
  }

  async getStream(groupName: string, streamName: string): Promise<LogStreamRecord | undefined> {
    const row = await this.#db
      .selectFrom('log_streams')
      .innerJoin('log_groups', 'log_groups.id', 'log_streams.group_id')
      .selectAll('log_streams')
      .where('log_groups.name', '=', groupName)
      .where('log_streams.name', '=', streamName)
      .executeTakeFirst();
    return row ? streamFromRow(row) : undefined;
  }

  async listStreams(groupName: string, options: LogStreamListing): Promise<LogStreamRecord[]> {
    const groupId = await groupIdOf(this.#db, groupName);
    if (groupId === undefined) return [];
    const direction = options.descending ? 'desc' : 'asc';
    const compare = options.descending ? '<' : '>';
    const lastEvent = sql<number>`coalesce(last_event_timestamp, 0)`;
    let query = this.#db
      .selectFrom('log_streams')
      .selectAll()
      .where('group_id', '=', groupId)
      .limit(sql.lit(safeLimit(options.limit)));
    if (options.namePrefix !== undefined) query = query.where(hasPrefix(sql.ref('name'), options.namePrefix));
    if (options.orderBy === 'lastEventTime') {
      query = query.orderBy(lastEvent, direction).orderBy('name', direction);
      const after = options.after;
      if (after) {
        query = query.where(
          sql<SqlBool>`(${lastEvent}, name) ${sql.raw(compare)} (${after.lastEventTimestamp}, ${after.name})`,
        );
      }
    } else {
      query = query.orderBy('name', direction);
      if (options.after) query = query.where('name', compare, options.after.name);
    }
    return (await query.execute()).map(streamFromRow);
  }

  deleteStream(groupName: string, streamName: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const stream = await trx
        .selectFrom('log_streams')
        .innerJoin('log_groups', 'log_groups.id', 'log_streams.group_id')
        .select(['log_streams.id', 'log_streams.group_id', 'log_streams.stored_bytes'])
        .where('log_groups.name', '=', groupName)
        .where('log_streams.name', '=', streamName)
        .executeTakeFirst();
      if (!stream) return false;
      await trx.deleteFrom('log_events').where('stream_id', '=', stream.id).execute();
      await trx.deleteFrom('log_streams').where('id', '=', stream.id).execute();
      await trx
        .updateTable('log_groups')
        .set({ stored_bytes: sql`stored_bytes - ${Number(stream.stored_bytes)}` })
        .where('id', '=', stream.group_id)
        .execute();
      return true;
    });
  }

  appendEvents(
    groupName: string,
    streamName: string,
    events: readonly NewLogEvent[],
    ingestionTime: number,
  ): Promise<AppendLogEventsResult> {
    return this.#db.transaction().execute(async (trx) => {
      const stream = await trx
        .selectFrom('log_groups')
        .leftJoin('log_streams', (join) =>
          join.onRef('log_streams.group_id', '=', 'log_groups.id').on('log_streams.name', '=', streamName),
        )
        .select(['log_groups.id as groupId', 'log_streams.id as streamId', 'log_streams.uploads'])
        .where('log_groups.name', '=', groupName)
        .executeTakeFirst();
      if (!stream) return { status: 'no-group' };
      if (stream.streamId === null) return { status: 'no-stream' };
      if (events.length === 0) return { status: 'stored', uploads: Number(stream.uploads) };
      return { status: 'stored', uploads: await insertEvents(trx, this.#dialect, stream, { events, ingestionTime }) };
    });
  }

  async queryEvents(groupName: string, query: LogEventQuery): Promise<LogEventRecord[]> {
    const groupId = await groupIdOf(this.#db, groupName);
    if (groupId === undefined) return [];
    const streamIds = await this.#streamIds(groupId, query);
    if (streamIds?.length === 0) return [];
    const direction = query.descending ? 'desc' : 'asc';
    const { timestamp, seq } = query.from;
    let select = this.#db
      .selectFrom('log_events as e')
      .innerJoin('log_streams as s', 's.id', 'e.stream_id')
      .select(['s.name as streamName', 'e.timestamp', 'e.seq', 'e.ingestion_time', 'e.message'])
      .where('e.timestamp', '>=', query.startTime)
      .where('e.timestamp', '<', query.endTime)
      .orderBy('e.timestamp', direction)
      .orderBy('e.seq', direction)
      .limit(sql.lit(safeLimit(query.limit)));
    // One stream: a range scan of (stream_id, timestamp, seq); else of (group_id, timestamp, seq).
    if (streamIds?.length === 1) select = select.where('e.stream_id', '=', streamIds[0]!);
    else select = select.where('e.group_id', '=', groupId);
    if (streamIds && streamIds.length > 1) select = select.where('e.stream_id', 'in', streamIds);
    select = query.descending
      ? select
          .where('e.timestamp', '<=', timestamp)
          .where((eb) => eb.or([eb('e.timestamp', '<', timestamp), eb('e.seq', '<', seq)]))
      : select
          .where('e.timestamp', '>=', timestamp)
          .where((eb) => eb.or([eb('e.timestamp', '>', timestamp), eb('e.seq', '>=', seq)]));
    return (await select.execute()).map((row) => ({
      streamName: row.streamName,
      timestamp: Number(row.timestamp),
      seq: Number(row.seq),
      ingestionTime: Number(row.ingestion_time),
      message: row.message,
    }));
  }

  deleteEventsBefore(groupName: string, timestamp: number): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const groupId = await groupIdOf(trx, groupName);
      if (groupId === undefined) return 0;
      const perStream = await trx
        .selectFrom('log_events')
        .select(({ fn }) => ['stream_id', fn.sum<number>('size').as('bytes'), fn.countAll<number>().as('count')])
        .where('group_id', '=', groupId)
        .where('timestamp', '<', timestamp)
        .groupBy('stream_id')
        .execute();
      if (perStream.length === 0) return 0;
      await trx.deleteFrom('log_events').where('group_id', '=', groupId).where('timestamp', '<', timestamp).execute();
      let bytes = 0;
      let count = 0;
      for (const row of perStream) {
        bytes += Number(row.bytes);
        count += Number(row.count);
        await trx
          .updateTable('log_streams')
          .set({ stored_bytes: sql`stored_bytes - ${Number(row.bytes)}` })
          .where('id', '=', row.stream_id)
          .execute();
      }
      await trx
        .updateTable('log_groups')
        .set({ stored_bytes: sql`stored_bytes - ${bytes}` })
        .where('id', '=', groupId)
        .execute();
      return count;
    });
  }

  /** The ids of the streams the query names (undefined: no stream filter). */
  async #streamIds(groupId: number, query: LogEventQuery): Promise<number[] | undefined> {
    if (query.streamNames === undefined && query.streamNamePrefix === undefined) return undefined;
    if (query.streamNames?.length === 0) return [];
    let select = this.#db.selectFrom('log_streams').select('id').where('group_id', '=', groupId);
    if (query.streamNames) select = select.where('name', 'in', query.streamNames);
    if (query.streamNamePrefix !== undefined) select = select.where(hasPrefix(sql.ref('name'), query.streamNamePrefix));
    return (await select.execute()).map((row) => Number(row.id));
  }
}

async function groupIdOf(db: Db, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('log_groups').select('id').where('name', '=', name).executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

async function insertEvents(
  trx: Db,
  dialect: SqlDialect,
  stream: { groupId: number; streamId: number | null },
  { events, ingestionTime }: { events: readonly NewLogEvent[]; ingestionTime: number },
): Promise<number> {
  const rows = events.map((e): LogEventRow => [e.timestamp, Buffer.byteLength(e.message, 'utf8'), e.message]);
  const bytes = rows.reduce((sum, row) => sum + row[1], 0);
  let minTimestamp = Infinity;
  let maxTimestamp = -Infinity;
  for (const e of events) {
    minTimestamp = Math.min(minTimestamp, e.timestamp);
    maxTimestamp = Math.max(maxTimestamp, e.timestamp);
  }
  const group = await trx
    .updateTable('log_groups')
    .set({ next_seq: sql`next_seq + ${events.length}`, stored_bytes: sql`stored_bytes + ${bytes}` })
    .where('id', '=', stream.groupId)
    .returning('next_seq')
    .executeTakeFirstOrThrow();
  const firstSeq = Number(group.next_seq) - events.length;
  const target = { groupId: stream.groupId, streamId: stream.streamId!, firstSeq, ingestionTime };
  await dialect.insertLogEvents(trx as Kysely<never>, target, rows);
  const updated = await trx
    .updateTable('log_streams')
    .set({
      first_event_timestamp: sql`coalesce(${dialect.least(sql.ref('first_event_timestamp'), minTimestamp)}, ${minTimestamp})`,
      last_event_timestamp: sql`coalesce(${dialect.greatest(sql.ref('last_event_timestamp'), maxTimestamp)}, ${maxTimestamp})`,
      last_ingestion_time: ingestionTime,
      uploads: sql`uploads + 1`,
      stored_bytes: sql`stored_bytes + ${bytes}`,
    })
    .where('id', '=', stream.streamId!)
    .returning('uploads')
    .executeTakeFirstOrThrow();
  return Number(updated.uploads);
}

/**
 * An exact, case-sensitive prefix test that SQLite can answer with an index range (LIKE is
 * case-insensitive and treats '_' specially): [prefix, prefix + U+10FFFF], then exactly.
 */
function hasPrefix(column: Expression<string>, prefix: string) {
  return sql<SqlBool>`(${column} >= ${prefix} and ${column} <= ${prefix + '\u{10FFFF}'} and substr(${column}, 1, length(${prefix})) = ${prefix})`;
}

function safeLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid limit ${limit}`);
  return limit;
}

function groupFromRow(row: Selectable<LogGroupsTable>): LogGroupRecord {
  return {
    name: row.name,
    createdAt: new Date(Number(row.created_at)),
    retentionInDays: row.retention_in_days === null ? undefined : Number(row.retention_in_days),
    logGroupClass: row.log_group_class,
    storedBytes: Number(row.stored_bytes),
    tags: JSON.parse(row.tags) as Record<string, string>,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

function streamFromRow(row: Selectable<LogStreamsTable>): LogStreamRecord {
  const optional = (value: number | null) => (value === null ? undefined : Number(value));
  return {
    name: row.name,
    createdAt: new Date(Number(row.created_at)),
    firstEventTimestamp: optional(row.first_event_timestamp),
    lastEventTimestamp: optional(row.last_event_timestamp),
    lastIngestionTime: optional(row.last_ingestion_time),
    uploads: Number(row.uploads),
  };
}
