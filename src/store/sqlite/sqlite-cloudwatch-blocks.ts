import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { BlockRecord, MetricRecord } from '../cloudwatch-repository.ts';
import { sqliteDialect, type SqlDialect } from '../sql-dialect.ts';
import type { Database } from './schema.ts';

/*
 * CloudWatch datapoints in SQLite and PostgreSQL (portable Kysely): packed blocks (cw_blocks)
 * keyed by resolution, block start and an integer series id (cw_series: one per metric key and
 * unit). Time first in the key, so the blocks one PutMetricData call touches (the current ones of
 * many metrics) sit together, and retention deletes a range; a series-first index serves reads.
 * A call is a few statements whatever its size: the series looked up and created in bulk, the
 * stored blocks read per (resolution, start), merged in memory, and written back with multi-row
 * upserts.
 */

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

/** Rows a multi-row statement carries (4 or 5 parameters each: under SQLite's and PostgreSQL's bounds). */
const CHUNK = 500;
/** A metric's last put time is written again once it moved on by this much (ListMetrics needs hours). */
const LAST_PUT_PRECISION_MS = 60_000;

/**
 * The last put time this process wrote per metric, so a metric put every call is not rewritten
 * every call. Dropped by pruneMetrics; a stale entry can only delay a last put time by a minute.
 */
export class LastPuts {
  readonly #written = new Map<string, number>();

  stale(metrics: readonly MetricRecord[]): MetricRecord[] {
    return metrics.filter((m) => {
      const written = this.#written.get(m.key);
      const at = m.lastPutAt.getTime();
      return written === undefined || at < written || at - written >= LAST_PUT_PRECISION_MS;
    });
  }

  wrote(metrics: readonly MetricRecord[]): void {
    if (this.#written.size > 200_000) this.#written.clear();
    for (const m of metrics) this.#written.set(m.key, m.lastPutAt.getTime());
  }

  clear(): void {
    this.#written.clear();
  }
}

export async function putDatapoints(
  db: Db,
  dialect: SqlDialect,
  write: {
    metrics: readonly MetricRecord[];
    blocks: readonly BlockRecord[];
    merge: (stored: Uint8Array, added: Uint8Array) => Uint8Array;
    lastPuts: LastPuts;
  },
): Promise<void> {
  const metrics = write.lastPuts.stale(write.metrics);
  await db.transaction().execute(async (trx) => {
    await upsertMetrics(trx, dialect, metrics);
    if (write.blocks.length === 0) return;
    const ids = await seriesIds(trx, write.blocks);
    const groups = new Map<string, { resolution: number; start: number; blocks: Map<number, Uint8Array> }>();
    for (const block of write.blocks) {
      const start = block.start.getTime();
      const groupKey = `${block.resolution}/${start}`;
      let group = groups.get(groupKey);
      if (!group) groups.set(groupKey, (group = { resolution: block.resolution, start, blocks: new Map() }));
      const id = ids.get(seriesKey(block.key, block.unit))!;
      const same = group.blocks.get(id);
      group.blocks.set(id, same ? write.merge(same, block.body) : block.body);
    }
    const rows: { resolution: number; block_start: number; series_id: number; body: Uint8Array }[] = [];
    for (const group of groups.values()) {
      const stored = await readStored(trx, group.resolution, group.start, [...group.blocks.keys()]);
      for (const [id, body] of group.blocks) {
        const before = stored.get(id);
        rows.push({
          resolution: group.resolution,
          block_start: group.start,
          series_id: id,
          body: asBytes(before ? write.merge(before, body) : body),
        });
      }
    }
    for (const chunk of chunks(rows, CHUNK)) await upsertBlocks(trx, dialect, chunk);
  });
  write.lastPuts.wrote(metrics);
}

/** One multi-row upsert, written out by hand: the query builder took longer than SQLite to run it. */
async function upsertBlocks(
  trx: Trx,
  dialect: SqlDialect,
  rows: readonly { resolution: number; block_start: number; series_id: number; body: Uint8Array }[],
): Promise<void> {
  const values: string[] = [];
  const parameters: unknown[] = [];
  for (const row of rows) {
    const n = parameters.push(row.resolution, row.block_start, row.series_id, row.body);
    values.push(dialect === sqliteDialect ? '(?, ?, ?, ?)' : `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`);
  }
  await trx.executeQuery(
    CompiledQuery.raw(
      `insert into cw_blocks (resolution, block_start, series_id, body) values ${values.join(', ')} ` +
        'on conflict (resolution, block_start, series_id) do update set body = excluded.body',
      parameters,
    ),
  );
}

async function upsertMetrics(trx: Trx, dialect: SqlDialect, metrics: readonly MetricRecord[]): Promise<void> {
  for (const chunk of chunks(metrics, CHUNK / 5)) {
    await trx
      .insertInto('cw_metrics')
      .values(
        chunk.map((metric) => ({
          metric_key: metric.key,
          namespace: metric.namespace,
          metric_name: metric.metricName,
          dimensions: JSON.stringify(metric.dimensions),
          last_put_at: metric.lastPutAt.getTime(),
        })),
      )
      .onConflict((c) =>
        c.column('metric_key').doUpdateSet({
          last_put_at: dialect.greatest(sql.ref('cw_metrics.last_put_at'), sql.ref('excluded.last_put_at')),
        }),
      )
      .execute();
  }
}

function seriesKey(key: string, unit: string): string {
  return `${unit}\u0000${key}`;
}

/** The series id of every (key, unit) the blocks name, creating the missing ones. */
async function seriesIds(trx: Trx, blocks: readonly BlockRecord[]): Promise<Map<string, number>> {
  const wanted = new Map<string, { metric_key: string; unit: string }>();
  for (const b of blocks) wanted.set(seriesKey(b.key, b.unit), { metric_key: b.key, unit: b.unit });
  const ids = await selectSeries(trx, [...new Set(blocks.map((b) => b.key))]);
  const missing = [...wanted].filter(([k]) => !ids.has(k)).map(([, row]) => row);
  if (missing.length === 0) return ids;
  for (const chunk of chunks(missing, CHUNK)) {
    await trx
      .insertInto('cw_series')
      .values(chunk)
      .onConflict((c) => c.columns(['metric_key', 'unit']).doNothing())
      .execute();
  }
  for (const [k, id] of await selectSeries(trx, [...new Set(missing.map((m) => m.metric_key))])) ids.set(k, id);
  return ids;
}

async function selectSeries(trx: Trx | Db, keys: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunks(keys, CHUNK)) {
    const rows = await trx
      .selectFrom('cw_series')
      .select(['id', 'metric_key', 'unit'])
      .where('metric_key', 'in', chunk)
      .execute();
    for (const row of rows) ids.set(seriesKey(row.metric_key, row.unit), Number(row.id));
  }
  return ids;
}

async function readStored(
  trx: Trx,
  resolution: number,
  start: number,
  ids: readonly number[],
): Promise<Map<number, Uint8Array>> {
  const stored = new Map<number, Uint8Array>();
  for (const chunk of chunks(ids, CHUNK)) {
    const rows = await trx
      .selectFrom('cw_blocks')
      .select(['series_id', 'body'])
      .where('resolution', '=', resolution)
      .where('block_start', '=', start)
      .where('series_id', 'in', chunk)
      .execute();
    for (const row of rows) stored.set(Number(row.series_id), row.body);
  }
  return stored;
}

export async function readBlocks(
  db: Db,
  dialect: SqlDialect,
  keys: readonly string[],
  query: { resolution: number; from: Date; to: Date },
): Promise<BlockRecord[]> {
  const series = await db
    .selectFrom('cw_series')
    .select(['id', 'metric_key', 'unit'])
    .where('metric_key', 'in', keys.length > 0 ? keys : [''])
    .execute();
  if (series.length === 0) return [];
  const byId = new Map(series.map((row) => [Number(row.id), row]));
  // SQLite, without statistics, would walk the time-first primary key over every metric's blocks
  // of the range: it is told to take the series index (PostgreSQL plans this one well by itself).
  const hint = sql.raw(dialect === sqliteDialect ? 'indexed by cw_blocks_series' : '');
  const { rows } = await sql<{ series_id: number; block_start: number; body: Uint8Array }>`
    select series_id, block_start, body from cw_blocks ${hint}
    where series_id in (${sql.join([...byId.keys()])}) and resolution = ${query.resolution}
      and block_start >= ${query.from.getTime()} and block_start < ${query.to.getTime()}
    order by block_start`.execute(db);
  return rows.map((row) => {
    const { metric_key, unit } = byId.get(Number(row.series_id))!;
    return {
      key: metric_key,
      unit,
      resolution: query.resolution,
      start: new Date(Number(row.block_start)),
      body: row.body,
    };
  });
}

export async function pruneBlocks(
  db: Db,
  resolution: number,
  before: Date,
  trim: (block: { start: Date; body: Uint8Array }) => { body: Uint8Array | undefined; removed: number },
): Promise<number> {
  let removed = 0;
  let after: { start: number; id: number } | undefined;
  for (;;) {
    const page = await db.transaction().execute(async (trx) => {
      let select = trx
        .selectFrom('cw_blocks')
        .select(['block_start', 'series_id', 'body'])
        .where('resolution', '=', resolution)
        .where('block_start', '<', before.getTime())
        .orderBy('block_start')
        .orderBy('series_id')
        .limit(sql.lit(CHUNK));
      if (after) {
        const { start, id } = after;
        select = select.where((eb) =>
          eb.or([eb('block_start', '>', start), eb.and([eb('block_start', '=', start), eb('series_id', '>', id)])]),
        );
      }
      const rows = await select.execute();
      for (const row of rows) {
        const start = Number(row.block_start);
        const id = Number(row.series_id);
        const left = trim({ start: new Date(start), body: row.body });
        removed += left.removed;
        if (left.removed === 0) continue;
        const key = { resolution, block_start: start, series_id: id };
        if (left.body === undefined) {
          await trx
            .deleteFrom('cw_blocks')
            .where('resolution', '=', key.resolution)
            .where('block_start', '=', key.block_start)
            .where('series_id', '=', key.series_id)
            .execute();
        } else {
          await trx
            .updateTable('cw_blocks')
            .set({ body: asBytes(left.body) })
            .where('resolution', '=', key.resolution)
            .where('block_start', '=', key.block_start)
            .where('series_id', '=', key.series_id)
            .execute();
        }
      }
      return rows;
    });
    if (page.length < CHUNK) return removed;
    const last = page.at(-1)!;
    after = { start: Number(last.block_start), id: Number(last.series_id) };
  }
}

/** Forgets metrics with no put since `before`, their series and any block left of them. */
export async function pruneMetrics(db: Db, before: Date, lastPuts: LastPuts): Promise<number> {
  lastPuts.clear();
  return db.transaction().execute(async (trx) => {
    const gone = await trx
      .selectFrom('cw_metrics')
      .select('metric_key')
      .where('last_put_at', '<', before.getTime())
      .execute();
    const keys = gone.map((row) => row.metric_key);
    for (const chunk of chunks(keys, CHUNK)) {
      const ids = [...(await selectSeries(trx, chunk)).values()];
      for (const idChunk of chunks(ids, CHUNK)) {
        await trx.deleteFrom('cw_blocks').where('series_id', 'in', idChunk).execute();
        await trx.deleteFrom('cw_series').where('id', 'in', idChunk).execute();
      }
      await trx.deleteFrom('cw_metrics').where('metric_key', 'in', chunk).execute();
    }
    return keys.length;
  });
}

/** node:sqlite binds a Uint8Array, pg a Buffer (a Uint8Array pg also knows): a view, not a copy. */
function asBytes(body: Uint8Array): Uint8Array {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
