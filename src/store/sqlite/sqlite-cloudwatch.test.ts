import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { postgresTestUrl, PostgresTestSchemas } from '../../../testing/postgres.ts';
import { decodeBlock } from '../../cloudwatch/packed-buckets.ts';
import { parseStatistic, statisticOf } from '../../cloudwatch/statistics.ts';
import type { BlockRecord, MetadataStore, MetricRecord } from '../index.ts';
import { migrations } from '../migrations/index.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';
import { SqliteCloudWatch } from './sqlite-cloudwatch.ts';
import { SqliteStore } from './sqlite-store.ts';

const HOUR = 3_600_000;
const metric = (key: string, at = 1000): MetricRecord => ({
  key,
  namespace: 'N',
  metricName: key,
  dimensions: [],
  lastPutAt: new Date(at),
});
const block = (key: string, unit: string, resolution: number, start: number, bytes: number[]): BlockRecord => ({
  key,
  unit,
  resolution,
  start: new Date(start),
  body: new Uint8Array(bytes),
});
/** The store's part is only to merge what it reads with what it is given: here, appending. */
const append = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b]);
const bytes = (blocks: readonly BlockRecord[]) => blocks.map((b) => [b.key, b.unit, b.start.getTime(), [...b.body]]);

function blockContract(backend: string, open: () => Promise<MetadataStore>): void {
  describe(`CloudWatch blocks (${backend})`, () => {
    it('merges into stored blocks, reads by metric, resolution and range, every unit', async () => {
      const store = await open();
      const cw = store.cloudWatch;
      await cw.putDatapoints(
        [metric('a'), metric('b')],
        [block('a', 'Count', 60, 0, [1]), block('a', 'Count', 60, HOUR, [2]), block('b', 'Count', 60, 0, [3])],
        append,
      );
      await cw.putDatapoints(
        [metric('a', 61_000)],
        [block('a', 'Count', 60, 0, [4]), block('a', 'Bytes', 60, 0, [5]), block('a', 'Count', 300, 0, [6])],
        append,
      );
      const read = await cw.readBlocks(['a'], { resolution: 60, from: new Date(0), to: new Date(2 * HOUR) });
      assert.deepEqual(
        bytes(read).sort((x, y) => Number(x[2]) - Number(y[2]) || String(x[1]).localeCompare(String(y[1]))),
        [
          ['a', 'Bytes', 0, [5]],
          ['a', 'Count', 0, [1, 4]],
          ['a', 'Count', HOUR, [2]],
        ],
      );
      assert.deepEqual(
        bytes(await cw.readBlocks(['a', 'b'], { resolution: 60, from: new Date(HOUR), to: new Date(2 * HOUR) })),
        [['a', 'Count', HOUR, [2]]],
      );
      assert.deepEqual(bytes(await cw.readBlocks(['a'], { resolution: 300, from: new Date(0), to: new Date(HOUR) })), [
        ['a', 'Count', 0, [6]],
      ]);
      assert.deepEqual(await cw.readBlocks(['c'], { resolution: 60, from: new Date(0), to: new Date(HOUR) }), []);
      assert.equal((await cw.getMetrics(['a']))[0]?.lastPutAt.getTime(), 61_000);
      // Put again within the minute: the last put time is kept to the minute, not rewritten.
      await cw.putDatapoints([metric('a', 62_000)], [], append);
      assert.equal((await cw.getMetrics(['a']))[0]?.lastPutAt.getTime(), 61_000);
      await store.close();
    });

    it('prunes: trims or deletes the blocks before a time, then forgets idle metrics with theirs', async () => {
      const store = await open();
      const cw = store.cloudWatch;
      await cw.putDatapoints(
        [metric('a', 1000), metric('b', 9000)],
        [block('a', 'None', 60, 0, [1, 2]), block('a', 'None', 60, HOUR, [3, 4]), block('b', 'None', 60, HOUR, [5])],
        append,
      );
      const seen: number[] = [];
      // Drops the first byte of the block at HOUR, the whole block at 0.
      const removed = await cw.pruneBlocks(60, new Date(HOUR + 1), ({ start, body }) => {
        seen.push(start.getTime());
        return start.getTime() === 0
          ? { body: undefined, removed: body.length }
          : { body: body.length > 1 ? body.slice(1) : body, removed: body.length > 1 ? 1 : 0 };
      });
      assert.equal(removed, 3);
      assert.deepEqual(
        seen.sort((x, y) => x - y),
        [0, HOUR, HOUR],
      );
      const all = (key: string) => cw.readBlocks([key], { resolution: 60, from: new Date(0), to: new Date(2 * HOUR) });
      assert.deepEqual(bytes(await all('a')), [['a', 'None', HOUR, [4]]]);
      assert.equal(await cw.pruneMetrics(new Date(5000)), 1);
      assert.deepEqual(await all('a'), []);
      assert.deepEqual(bytes(await all('b')), [['b', 'None', HOUR, [5]]]);
      assert.deepEqual(
        (await cw.listMetrics({ limit: 10 })).map((m) => m.key),
        ['b'],
      );
      // A metric put again after being forgotten starts afresh.
      await cw.putDatapoints([metric('a', 9000)], [block('a', 'None', 60, HOUR, [7])], append);
      assert.deepEqual(bytes(await all('a')), [['a', 'None', HOUR, [7]]]);
      await store.close();
    });
  });
}

blockContract('SQLite', () => SqliteStore.open(':memory:'));

const target = postgresTestUrl();
if ('skip' in target) {
  describe('CloudWatch blocks (PostgreSQL)', () => it.skip(target.skip));
} else {
  const schemas = new PostgresTestSchemas(target.url);
  after(() => schemas.dropAll());
  blockContract('PostgreSQL', () => schemas.open());
}

describe('migration 0027-cloudwatch-packed', () => {
  it('carries the 0022 buckets over, packed, answering the same statistics', async () => {
    const raw = new DatabaseSync(':memory:');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(raw) }) }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    assert.equal((await migrator.migrateTo('0026-application-autoscaling')).error, undefined);
    const key = '["N","M",[]]';
    const row = { metric_key: key, unit: 'Count', sample_count: 1, sum: 7, minimum: 7, maximum: 7 };
    await db
      .insertInto('cw_datapoints')
      .values([
        { ...row, resolution: 60, bucket_start: HOUR + 120_000, sketch: '{"p":[[98,1]],"n":[],"z":0}' },
        { ...row, resolution: 60, bucket_start: HOUR + 60_000, sketch: '{"p":[[98,1]],"n":[],"z":0}' },
        {
          ...row,
          resolution: 3600,
          bucket_start: HOUR,
          sample_count: 3,
          sum: 12,
          minimum: 1,
          maximum: 7,
          sketch: '{"p":[[0,1],[98,2]],"n":[],"z":0}',
        },
      ])
      .execute();
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const cw = new SqliteCloudWatch(db);
    const [minutes] = await cw.readBlocks([key], { resolution: 60, from: new Date(0), to: new Date(2 * HOUR) });
    assert.deepEqual(
      decodeBlock(minutes!.body).map((b) => [b.slot, b.aggregate.sum]),
      [
        [1, 7],
        [2, 7],
      ],
    );
    const [hour] = await cw.readBlocks([key], { resolution: 3600, from: new Date(0), to: new Date(2 * HOUR) });
    const [bucket] = decodeBlock(hour!.body);
    assert.equal(statisticOf(bucket!.aggregate, parseStatistic('Average')!), 4);
    assert.equal(statisticOf(bucket!.aggregate, parseStatistic('p50')!), 7);
    assert.equal(hour!.unit, 'Count');
    const tables = raw.prepare("select name from sqlite_schema where name = 'cw_datapoints'").all();
    assert.deepEqual(tables, []);
    await db.destroy();
  });
});
