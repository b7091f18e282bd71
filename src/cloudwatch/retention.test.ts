import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { CloudWatchDeps } from './deps.ts';
import { readPeriods } from './metric-series.ts';
import { putMetricData } from './put-metric-data.ts';
import { pruneExpiredMetrics } from './retention.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('retention over packed buckets', () => {
  it('drops each resolution past its retention, minute by minute inside a block', async () => {
    const store = await SqliteStore.open(':memory:');
    const clock = new FakeClock('2026-03-01T00:00:00Z');
    const deps = { store, clock } as unknown as CloudWatchDeps;
    const start = clock.now().getTime() - 10 * DAY + 30 * MINUTE;
    // Ten 1-minute datapoints from 00:30 to 00:39, ten days ago.
    await putMetricData(deps, {
      Namespace: 'Test',
      MetricData: Array.from({ length: 10 }, (_, i) => ({
        MetricName: 'M',
        Timestamp: new Date(start + i * MINUTE),
        Value: i + 1,
      })),
    });
    const read = (periodSeconds: number, at: number) =>
      readPeriods(
        deps,
        {
          namespace: 'Test',
          metricName: 'M',
          periodSeconds,
          start: new Date(at),
          end: new Date(start + 60 * MINUTE),
        },
        { byUnit: false },
      ).then((periods) => periods.map((p) => [p.start - start, p.aggregate.sampleCount, p.aggregate.sum]));
    assert.equal((await read(60, start)).length, 10);
    // Five days on, 15 days and 5 minutes after 00:30: the buckets that ended 15 days ago, 00:30 to
    // 00:33, go (the hour's block is trimmed, not dropped); the 5-minute and hourly rollups stay.
    clock.set(new Date(start + 15 * DAY + 5 * MINUTE));
    const { datapointsDeleted } = await pruneExpiredMetrics(deps);
    assert.equal(datapointsDeleted, 4);
    assert.deepEqual(
      (await read(60, start)).map(([at]) => at),
      [4, 5, 6, 7, 8, 9].map((m) => m * MINUTE),
    );
    assert.deepEqual(await read(300, start - 30 * MINUTE), [
      [0, 5, 15],
      [5 * MINUTE, 5, 40],
    ]);
    assert.deepEqual(await read(3600, start - 30 * MINUTE), [[-30 * MINUTE, 10, 55]]);
    // 455 days after the put, nothing is left, and the metric is forgotten.
    clock.set(new Date(start + 10 * DAY + 456 * DAY));
    await pruneExpiredMetrics(deps);
    assert.deepEqual(await read(3600, start - 30 * MINUTE), []);
    assert.deepEqual(await store.cloudWatch.listMetrics({ limit: 10 }), []);
    await store.close();
  });
});
