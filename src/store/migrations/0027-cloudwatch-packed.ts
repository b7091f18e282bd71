import { sql, SqliteAdapter, type Kysely, type Migration } from 'kysely';
// The one migration that reads a domain format: the rows it converts are packed as CloudWatch
// packs them, by its pure codec (no I/O, no other domain code).
import { blockOf, encodeBlock, type PackedBucket } from '../../cloudwatch/packed-buckets.ts';
import type { Resolution } from '../../cloudwatch/resolutions.ts';
import { parseSketch } from '../../cloudwatch/sketch.ts';

/*
 * CloudWatch datapoints packed (issue #19's "stored compactly"): cw_datapoints (a row per metric,
 * resolution, unit and bucket, keyed by the metric's text key, the sketch as JSON) becomes
 *   cw_series (id, metric_key, unit): an integer id per metric and unit, and
 *   cw_blocks (resolution, block_start, series_id, body): a block of consecutive buckets per row
 *   (an hour of 1-minute, 5-minute or 1-hour buckets, a minute of 1-second ones), packed by
 *   cloudwatch/packed-buckets.ts; time first in the key (a call's writes and retention's deletes
 *   sit together), WITHOUT ROWID on SQLite, and a series-first index for reads.
 * Every stored bucket is carried over, packed, then cw_datapoints is dropped.
 */
export const cloudWatchPackedMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
    await db.schema
      .createTable('cw_series')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('metric_key', 'text', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addUniqueConstraint('cw_series_key', ['metric_key', 'unit'])
      .execute();
    await db.schema
      .createTable('cw_blocks')
      .addColumn('resolution', 'integer', (c) => c.notNull())
      .addColumn('block_start', 'bigint', (c) => c.notNull())
      .addColumn('series_id', 'integer', (c) => c.notNull())
      .addColumn('body', 'blob', (c) => c.notNull())
      .addPrimaryKeyConstraint('cw_blocks_pk', ['resolution', 'block_start', 'series_id'])
      .$call((table) => (sqlite ? table.modifyEnd(sql`without rowid`) : table))
      .execute();
    await db.schema
      .createIndex('cw_blocks_series')
      .on('cw_blocks')
      .columns(['series_id', 'resolution', 'block_start'])
      .execute();
    await carryOver(db as Kysely<OldTables>);
    await db.schema.dropTable('cw_datapoints').execute();
  },
};

interface OldTables {
  cw_datapoints: {
    metric_key: string;
    resolution: number;
    unit: string;
    bucket_start: number;
    sample_count: number;
    sum: number;
    minimum: number;
    maximum: number;
    sketch: string;
  };
  cw_series: { id?: number; metric_key: string; unit: string };
  cw_blocks: { resolution: number; block_start: number; series_id: number; body: Uint8Array };
}

/** The old buckets, a hundred metrics at a time, packed into blocks. */
async function carryOver(db: Kysely<OldTables>): Promise<void> {
  const keys = (await db.selectFrom('cw_datapoints').select('metric_key').distinct().execute()).map(
    (row) => row.metric_key,
  );
  for (let i = 0; i < keys.length; i += 100) {
    const rows = await db
      .selectFrom('cw_datapoints')
      .selectAll()
      .where('metric_key', 'in', keys.slice(i, i + 100))
      .execute();
    const blocks = new Map<
      string,
      { key: string; unit: string; resolution: number; start: number; buckets: PackedBucket[] }
    >();
    for (const row of rows) {
      const resolution = Number(row.resolution) as Resolution;
      const { start, slot } = blockOf(Number(row.bucket_start), resolution);
      const id = JSON.stringify([row.metric_key, row.unit, resolution, start]);
      let block = blocks.get(id);
      if (!block) blocks.set(id, (block = { key: row.metric_key, unit: row.unit, resolution, start, buckets: [] }));
      block.buckets.push({
        slot,
        aggregate: {
          sampleCount: Number(row.sample_count),
          sum: Number(row.sum),
          minimum: Number(row.minimum),
          maximum: Number(row.maximum),
          sketch: parseSketch(row.sketch),
        },
      });
    }
    const series = new Map<string, number>();
    for (const block of blocks.values()) {
      const id = JSON.stringify([block.key, block.unit]);
      if (!series.has(id)) {
        const { id: seriesId } = await db
          .insertInto('cw_series')
          .values({ metric_key: block.key, unit: block.unit })
          .returning('id')
          .executeTakeFirstOrThrow();
        series.set(id, Number(seriesId));
      }
      await db
        .insertInto('cw_blocks')
        .values({
          resolution: block.resolution,
          block_start: block.start,
          series_id: series.get(id)!,
          body: Buffer.from(encodeBlock(block.buckets)),
        })
        .execute();
    }
  }
}
