import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { PublishedDatum } from '../shared/metric-publisher.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { createLogGroup, type LogsDeps } from './log-groups.ts';
import { createLogStream } from './log-streams.ts';
import { deleteMetricFilter, describeMetricFilters, MAX_METRIC_FILTERS, putMetricFilter } from './metric-filters.ts';
import { putLogEvents } from './put-log-events.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const published: { namespace: string; data: readonly PublishedDatum[] }[] = [];
let deps: LogsDeps;

const errors = (name: string, extra: Record<string, unknown> = {}) => ({
  logGroupName: '/app',
  filterName: name,
  filterPattern: 'ERROR',
  metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', defaultValue: 0 }],
  ...extra,
});

describe('metric filters', () => {
  before(async () => {
    const publisher = {
      publish: (namespace: string, data: readonly PublishedDatum[]) => {
        published.push({ namespace, data });
        return Promise.resolve();
      },
    };
    deps = { store: await SqliteStore.open(':memory:'), clock: new FakeClock(new Date(T0)), publisher };
    await createLogGroup(deps, { logGroupName: '/app' });
    await createLogStream(deps, { logGroupName: '/app', logStreamName: 's' });
  });

  it('needs the group, and replaces a filter put again under its name', async () => {
    await assert.rejects(putMetricFilter(deps, errors('e', { logGroupName: '/nope' })), {
      code: 'ResourceNotFoundException',
    });
    await putMetricFilter(deps, errors('e', { filterPattern: 'WARN' }));
    await putMetricFilter(deps, errors('e'));
    const { metricFilters } = await describeMetricFilters(deps, { logGroupName: '/app' });
    assert.deepEqual(
      metricFilters?.map((f) => [f.filterName, f.filterPattern, f.metricTransformations?.[0]?.unit]),
      [['e', 'ERROR', 'None']],
    );
  });

  it('keeps every one of concurrent puts, and stops at 100 per group', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => putMetricFilter(deps, errors(`c${String(i).padStart(2, '0')}`))),
    );
    const page = await describeMetricFilters(deps, { logGroupName: '/app', filterNamePrefix: 'c', limit: 50 });
    assert.equal(page.metricFilters?.length, 20);
    for (let i = 21; i < MAX_METRIC_FILTERS; i++) await putMetricFilter(deps, errors(`z${i}`));
    // e + 20 c + 79 z = 100
    await assert.rejects(putMetricFilter(deps, errors('one-more')), { code: 'LimitExceededException' });
    await putMetricFilter(deps, errors('e')); // a replacement is not a new one
    for (let i = 21; i < MAX_METRIC_FILTERS; i++)
      await deleteMetricFilter(deps, { logGroupName: '/app', filterName: `z${i}` });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        deleteMetricFilter(deps, { logGroupName: '/app', filterName: `c${String(i).padStart(2, '0')}` }),
      ),
    );
    await assert.rejects(deleteMetricFilter(deps, { logGroupName: '/app', filterName: 'c00' }), {
      code: 'ResourceNotFoundException',
      message: 'The specified metric filter does not exist.',
    });
  });

  it('pages across groups and filters by metric', async () => {
    await createLogGroup(deps, { logGroupName: '/b' });
    await putMetricFilter(deps, errors('b1', { logGroupName: '/b' }));
    await putMetricFilter(
      deps,
      errors('b2', {
        logGroupName: '/b',
        metricTransformations: [{ metricName: 'Other', metricNamespace: 'App', metricValue: '2' }],
      }),
    );
    const first = await describeMetricFilters(deps, { limit: 2 });
    assert.deepEqual(
      first.metricFilters?.map((f) => `${f.logGroupName} ${f.filterName}`),
      ['/app e', '/b b1'],
    );
    const second = await describeMetricFilters(deps, { limit: 2, nextToken: first.nextToken! });
    assert.deepEqual(
      second.metricFilters?.map((f) => f.filterName),
      ['b2'],
    );
    assert.equal(second.nextToken, undefined);
    const other = await describeMetricFilters(deps, { metricName: 'Other', metricNamespace: 'App' });
    assert.deepEqual(
      other.metricFilters?.map((f) => f.filterName),
      ['b2'],
    );
    await assert.rejects(describeMetricFilters(deps, { filterNamePrefix: 'b' }), { code: 'InvalidParameterException' });
    await assert.rejects(describeMetricFilters(deps, { metricName: 'Other' }), { code: 'InvalidParameterException' });
  });

  it('publishes a PutLogEvents batch: values and defaults per minute, in one publish', async () => {
    published.length = 0;
    const logEvents = ['ERROR a', 'fine', 'ERROR b', 'ERROR c'].map((message, i) => ({
      timestamp: T0 - 1000 + i,
      message,
    }));
    await putLogEvents(deps, { logGroupName: '/app', logStreamName: 's', logEvents });
    assert.equal(published.length, 1);
    assert.equal(published[0]!.namespace, 'App');
    // 3 matches → 1 three times, 1 miss → the default 0 once, all in the minute before T0.
    assert.deepEqual(published[0]!.data, [
      {
        MetricName: 'Errors',
        Dimensions: [],
        Unit: 'None',
        Timestamp: new Date(T0 - 60_000),
        Values: [1, 0],
        Counts: [3, 1],
      },
    ]);
  });

  it('never fails PutLogEvents when publishing fails', async () => {
    const failing = { ...deps, publisher: { publish: () => Promise.reject(new Error('down')) } };
    const out = await putLogEvents(failing, {
      logGroupName: '/app',
      logStreamName: 's',
      logEvents: [{ timestamp: T0, message: 'ERROR' }],
    });
    assert.match(out.nextSequenceToken ?? '', /^\d+$/);
  });
});
