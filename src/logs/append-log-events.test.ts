import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { awslogsStreamName, createLogAppender, splitIntoBatches, type LogAppender } from './append-log-events.ts';
import type { LogsDeps } from './log-groups.ts';
import { DAY_MS, pruneExpiredLogEvents } from './retention.ts';

const NOW = Date.parse('2026-05-01T00:00:00Z');

describe('splitIntoBatches', () => {
  const event = (timestamp: number, bytes = 1) => ({ timestamp, message: 'x'.repeat(bytes) });
  const cases: [name: string, events: { timestamp: number; message: string }[], sizes: number[]][] = [
    ['nothing', [], []],
    ['one batch', [event(3), event(1), event(2)], [3]],
    ['10,000 events per batch', Array.from({ length: 20_001 }, (_, i) => event(i)), [10_000, 10_000, 1]],
    // (524,262 + 26) × 2 = 1,048,576 fits; a third event does not.
    ['1,048,576 bytes per batch', [event(0, 524_262), event(1, 524_262), event(2, 524_262)], [2, 1]],
    ['24 hours per batch', [event(0), event(DAY_MS), event(DAY_MS + 1), event(3 * DAY_MS)], [2, 1, 1]],
  ];
  for (const [name, events, sizes] of cases) {
    it(name, () => {
      const batches = splitIntoBatches(events);
      assert.deepEqual(
        batches.map((b) => b.length),
        sizes,
      );
      const timestamps = batches.flat().map((e) => e.timestamp);
      assert.deepEqual(
        timestamps,
        [...timestamps].sort((a, b) => a - b),
      );
    });
  }
});

describe('appendLogEvents (in-process)', () => {
  let deps: LogsDeps & { clock: FakeClock };
  let appender: LogAppender;
  beforeEach(async () => {
    deps = { store: await SqliteStore.open(':memory:'), clock: new FakeClock(new Date(NOW)) };
    appender = createLogAppender(deps);
  });

  it('creates the group when asked and the stream always, then stores the events sorted', async () => {
    const stream = awslogsStreamName('ecs', 'web', '0123456789abcdef');
    assert.equal(stream, 'ecs/web/0123456789abcdef');
    const report = await appender.appendLogEvents(
      '/ecs/web',
      stream,
      [
        { timestamp: NOW - 10, message: 'second' },
        { timestamp: NOW - 20, message: 'first' },
      ],
      { createGroup: true },
    );
    assert.deepEqual(report, { accepted: 2, tooOld: 0, expired: 0, tooNew: 0 });
    const events = await deps.store.logs.queryEvents('/ecs/web', {
      from: { timestamp: 0, seq: 0 },
      descending: false,
      startTime: 0,
      endTime: NOW,
      limit: 10,
    });
    assert.deepEqual(
      events.map((e) => [e.streamName, e.message, e.ingestionTime]),
      [
        [stream, 'first', NOW],
        [stream, 'second', NOW],
      ],
    );
    assert.equal((await deps.store.logs.getGroup('/ecs/web'))?.logGroupClass, 'STANDARD');
  });

  it('needs the group unless asked to create it, and checks names and messages', async () => {
    await assert.rejects(appender.appendLogEvents('/none', 's', [], { createGroup: false }), {
      code: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
    await assert.rejects(appender.appendLogEvents('bad name', 's', [], { createGroup: true }), {
      code: 'InvalidParameterException',
    });
    await assert.rejects(appender.appendLogEvents('g', 'a:b', [], { createGroup: true }), {
      code: 'InvalidParameterException',
    });
    await assert.rejects(appender.appendLogEvents('g', 's', [{ timestamp: NOW, message: '' }], { createGroup: true }), {
      code: 'InvalidParameterException',
    });
    assert.equal(await deps.store.logs.getGroup('g'), undefined);
  });

  it('creates a stream deleted meanwhile again, and reports rejected events', async () => {
    await appender.appendLogEvents('g', 's', [], { createGroup: true });
    assert.ok(await deps.store.logs.getStream('g', 's'));
    await deps.store.logs.deleteStream('g', 's');
    await deps.store.logs.setRetention('g', 7);
    const report = await appender.appendLogEvents(
      'g',
      's',
      [
        { timestamp: NOW - 20 * DAY_MS, message: 'too old' },
        { timestamp: NOW - 10 * DAY_MS, message: 'expired' },
        { timestamp: NOW, message: 'kept' },
        { timestamp: NOW + 3 * 60 * 60 * 1000, message: 'too new' },
      ],
      { createGroup: false },
    );
    assert.deepEqual(report, { accepted: 1, tooOld: 1, expired: 1, tooNew: 1 });
    assert.equal((await deps.store.logs.getStream('g', 's'))?.uploads, 1);
  });

  it('prunes events past their group retention, hourly or on demand', async () => {
    await appender.appendLogEvents('short', 's', [{ timestamp: NOW, message: 'abc' }], { createGroup: true });
    await appender.appendLogEvents('forever', 's', [{ timestamp: NOW, message: 'abc' }], { createGroup: true });
    await deps.store.logs.setRetention('short', 1);
    assert.deepEqual(await pruneExpiredLogEvents(deps), { groupsPruned: 0, eventsDeleted: 0 });
    deps.clock.advance(DAY_MS + 1);
    assert.deepEqual(await pruneExpiredLogEvents(deps), { groupsPruned: 1, eventsDeleted: 1 });
    assert.equal((await deps.store.logs.getGroup('short'))?.storedBytes, 0);
    assert.equal((await deps.store.logs.getGroup('forever'))?.storedBytes, 3);
  });
});
