import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  LogEventQuery,
  LogGroupRecord,
  LogRepository,
  LogStreamRecord,
  MetadataStore,
} from '../src/store/index.ts';

/** The MetadataStore's `logs` repository contract; runStoreContract calls it once per backend. */
export function describeLogRepository(store: () => MetadataStore): void {
  const group = (name: string, overrides: Partial<LogGroupRecord> = {}): LogGroupRecord => ({
    name,
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    retentionInDays: undefined,
    logGroupClass: 'STANDARD',
    storedBytes: 0,
    tags: {},
    details: {},
    ...overrides,
  });
  const stream = (name: string): LogStreamRecord => ({
    name,
    createdAt: new Date('2026-01-02T03:04:06Z'),
    firstEventTimestamp: undefined,
    lastEventTimestamp: undefined,
    lastIngestionTime: undefined,
    uploads: 0,
  });
  const everything = { from: { timestamp: 0, seq: 0 }, descending: false, startTime: 0, endTime: 2 ** 52, limit: 100 };
  const messagesOf = async (logs: LogRepository, groupName: string, query: Partial<LogEventQuery> = {}) =>
    (await logs.queryEvents(groupName, { ...everything, ...query })).map((e) => e.message);

  describe('logs', () => {
    it('creates a log group once, and gets, tags and sets its retention', async () => {
      const { logs } = store();
      assert.equal(
        await logs.createGroup(group('/app/one', { tags: { team: 'a' }, details: { kmsKeyId: 'k' } })),
        true,
      );
      assert.equal(await logs.createGroup(group('/app/one')), false);
      assert.deepEqual(
        await logs.getGroup('/app/one'),
        group('/app/one', { tags: { team: 'a' }, details: { kmsKeyId: 'k' } }),
      );
      assert.equal(await logs.setRetention('/app/one', 7), true);
      assert.equal(await logs.setTags('/app/one', { team: 'b' }), true);
      const updated = await logs.getGroup('/app/one');
      assert.equal(updated?.retentionInDays, 7);
      assert.deepEqual(updated?.tags, { team: 'b' });
      assert.equal(await logs.setRetention('/app/one', undefined), true);
      assert.equal((await logs.getGroup('/app/one'))?.retentionInDays, undefined);
      assert.equal(await logs.setRetention('/missing', 7), false);
      assert.equal(await logs.setDetails('/app/one', { deletionProtectionEnabled: true }), true);
      assert.deepEqual((await logs.getGroup('/app/one'))?.details, { deletionProtectionEnabled: true });
      assert.equal(await logs.setDetails('/missing', {}), false);
      const current = (await logs.getGroup('/app/one'))!.details;
      assert.equal(
        await logs.replaceDetails('/app/one', current, { metricFilters: [{ filterName: 'a' }] }),
        'replaced',
      );
      // A second writer holding the old details loses, and sees why.
      assert.equal(await logs.replaceDetails('/app/one', current, { metricFilters: [] }), 'changed');
      assert.deepEqual((await logs.getGroup('/app/one'))?.details, { metricFilters: [{ filterName: 'a' }] });
      assert.equal(await logs.replaceDetails('/missing', {}, {}), 'no-group');
      assert.equal(await logs.getGroup('/missing'), undefined);
    });

    it('lists log groups in byte order, by prefix, substring, names and class, page by page', async () => {
      const { logs } = store();
      for (const name of ['list/b', 'list/a', 'list/C', 'list/a/x', 'other/a'])
        await logs.createGroup(group(name, { logGroupClass: name === 'list/a/x' ? 'INFREQUENT_ACCESS' : 'STANDARD' }));
      const names = async (options: Parameters<LogRepository['listGroups']>[0]) =>
        (await logs.listGroups(options)).map((g) => g.name);
      assert.deepEqual(await names({ namePrefix: 'list/', limit: 10 }), ['list/C', 'list/a', 'list/a/x', 'list/b']);
      assert.deepEqual(await names({ namePrefix: 'list/', after: 'list/a', limit: 2 }), ['list/a/x', 'list/b']);
      assert.deepEqual(await names({ nameContains: 't/a', limit: 10 }), ['list/a', 'list/a/x']);
      assert.deepEqual(await names({ names: ['other/a', 'list/b', 'nope'], limit: 10 }), ['list/b', 'other/a']);
      assert.deepEqual(await names({ names: [], limit: 10 }), []);
      assert.deepEqual(await names({ logGroupClass: 'INFREQUENT_ACCESS', limit: 10 }), ['list/a/x']);
    });

    it('creates streams once per group, and lists them by name or last event time', async () => {
      const { logs } = store();
      assert.equal(await logs.createStream('/streams', stream('s')), 'no-group');
      await logs.createGroup(group('/streams'));
      for (const name of ['web/b', 'web/a', 'db/a'])
        assert.equal(await logs.createStream('/streams', stream(name)), 'created');
      assert.equal(await logs.createStream('/streams', stream('web/a')), 'exists');
      await logs.appendEvents('/streams', 'web/b', [{ timestamp: 100, message: 'x' }], 500);
      await logs.appendEvents('/streams', 'db/a', [{ timestamp: 200, message: 'x' }], 500);
      const list = async (options: Partial<Parameters<LogRepository['listStreams']>[1]>) =>
        (await logs.listStreams('/streams', { orderBy: 'name', descending: false, limit: 10, ...options })).map(
          (s) => s.name,
        );
      assert.deepEqual(await list({}), ['db/a', 'web/a', 'web/b']);
      assert.deepEqual(await list({ descending: true, limit: 2 }), ['web/b', 'web/a']);
      assert.deepEqual(await list({ namePrefix: 'web/' }), ['web/a', 'web/b']);
      assert.deepEqual(await list({ after: { name: 'db/a', lastEventTimestamp: 0 } }), ['web/a', 'web/b']);
      // No events counts as 0: web/a (0), web/b (100), db/a (200).
      assert.deepEqual(await list({ orderBy: 'lastEventTime' }), ['web/a', 'web/b', 'db/a']);
      assert.deepEqual(await list({ orderBy: 'lastEventTime', descending: true }), ['db/a', 'web/b', 'web/a']);
      assert.deepEqual(await list({ orderBy: 'lastEventTime', after: { name: 'web/b', lastEventTimestamp: 100 } }), [
        'db/a',
      ]);
      assert.deepEqual(await logs.listStreams('/missing', { orderBy: 'name', descending: false, limit: 10 }), []);
    });

    it('appends events in one batch and keeps the stream and group figures', async () => {
      const { logs } = store();
      assert.deepEqual(await logs.appendEvents('/append', 's', [{ timestamp: 1, message: 'a' }], 9), {
        status: 'no-group',
      });
      await logs.createGroup(group('/append'));
      assert.deepEqual(await logs.appendEvents('/append', 's', [{ timestamp: 1, message: 'a' }], 9), {
        status: 'no-stream',
      });
      await logs.createStream('/append', stream('s'));
      const first = await logs.appendEvents(
        '/append',
        's',
        [
          { timestamp: 1000, message: 'héllo' },
          { timestamp: 1000, message: 'again' },
          { timestamp: 1500, message: 'later' },
        ],
        2000,
      );
      assert.deepEqual(first, { status: 'stored', uploads: 1 });
      assert.deepEqual(await logs.appendEvents('/append', 's', [{ timestamp: 900, message: 'early' }], 2100), {
        status: 'stored',
        uploads: 2,
      });
      const s = await logs.getStream('/append', 's');
      assert.deepEqual(
        [s?.firstEventTimestamp, s?.lastEventTimestamp, s?.lastIngestionTime, s?.uploads],
        [900, 1500, 2100, 2],
      );
      // 'héllo' is 6 UTF-8 bytes: 6 + 5 + 5 + 5 = 21.
      assert.equal((await logs.getGroup('/append'))?.storedBytes, 21);
      const events = await logs.queryEvents('/append', everything);
      assert.deepEqual(
        events.map((e) => [e.timestamp, e.message, e.ingestionTime, e.streamName]),
        [
          [900, 'early', 2100, 's'],
          [1000, 'héllo', 2000, 's'],
          [1000, 'again', 2000, 's'],
          [1500, 'later', 2000, 's'],
        ],
      );
      assert.equal(new Set(events.map((e) => e.seq)).size, 4);
    });

    it('reads events forward and backward from a position, in a time range, by stream', async () => {
      const { logs } = store();
      await logs.createGroup(group('/query'));
      for (const name of ['a/1', 'a/2', 'b/1']) await logs.createStream('/query', stream(name));
      await logs.appendEvents(
        '/query',
        'a/1',
        [10, 30, 50].map((t) => ({ timestamp: t, message: `a1@${t}` })),
        99,
      );
      await logs.appendEvents(
        '/query',
        'a/2',
        [20, 30].map((t) => ({ timestamp: t, message: `a2@${t}` })),
        99,
      );
      await logs.appendEvents(
        '/query',
        'b/1',
        [40].map((t) => ({ timestamp: t, message: `b1@${t}` })),
        99,
      );
      // Interleaved by (timestamp, seq): a1@30 was stored before a2@30.
      assert.deepEqual(await messagesOf(logs, '/query'), ['a1@10', 'a2@20', 'a1@30', 'a2@30', 'b1@40', 'a1@50']);
      assert.deepEqual(await messagesOf(logs, '/query', { startTime: 20, endTime: 40 }), ['a2@20', 'a1@30', 'a2@30']);
      assert.deepEqual(
        await messagesOf(logs, '/query', { descending: true, from: { timestamp: 40, seq: 0 }, limit: 2 }),
        ['a2@30', 'a1@30'],
      );
      const [a130] = await logs.queryEvents('/query', { ...everything, startTime: 30, limit: 1 });
      assert.deepEqual(await messagesOf(logs, '/query', { from: { timestamp: 30, seq: a130!.seq + 1 } }), [
        'a2@30',
        'b1@40',
        'a1@50',
      ]);
      assert.deepEqual(await messagesOf(logs, '/query', { streamNames: ['a/1'] }), ['a1@10', 'a1@30', 'a1@50']);
      assert.deepEqual(await messagesOf(logs, '/query', { streamNames: ['a/2', 'b/1'] }), ['a2@20', 'a2@30', 'b1@40']);
      assert.deepEqual(await messagesOf(logs, '/query', { streamNamePrefix: 'a/' }), [
        'a1@10',
        'a2@20',
        'a1@30',
        'a2@30',
        'a1@50',
      ]);
      assert.deepEqual(await messagesOf(logs, '/query', { streamNames: ['nope'] }), []);
      assert.deepEqual(await messagesOf(logs, '/missing'), []);
    });

    it('deletes events before a time, a stream with its events, a group with everything', async () => {
      const { logs } = store();
      await logs.createGroup(group('/delete'));
      await logs.createStream('/delete', stream('x'));
      await logs.createStream('/delete', stream('y'));
      await logs.appendEvents(
        '/delete',
        'x',
        [1, 2, 3].map((t) => ({ timestamp: t, message: 'xx' })),
        9,
      );
      await logs.appendEvents(
        '/delete',
        'y',
        [1, 5].map((t) => ({ timestamp: t, message: 'yyy' })),
        9,
      );
      assert.equal((await logs.getGroup('/delete'))?.storedBytes, 12); // 3 × 2 + 2 × 3
      assert.equal(await logs.deleteEventsBefore('/delete', 3), 3); // x@1, x@2, y@1
      assert.equal((await logs.getGroup('/delete'))?.storedBytes, 5); // x@3 (2) + y@5 (3)
      assert.deepEqual(await messagesOf(logs, '/delete'), ['xx', 'yyy']);
      assert.equal(await logs.deleteStream('/delete', 'x'), true);
      assert.equal(await logs.deleteStream('/delete', 'x'), false);
      assert.equal((await logs.getGroup('/delete'))?.storedBytes, 3);
      assert.equal(await logs.getStream('/delete', 'x'), undefined);
      assert.equal(await logs.deleteGroup('/delete'), true);
      assert.equal(await logs.deleteGroup('/delete'), false);
      await logs.createGroup(group('/delete'));
      await logs.createStream('/delete', stream('y'));
      assert.deepEqual(await messagesOf(logs, '/delete'), []);
      assert.equal((await logs.getStream('/delete', 'y'))?.uploads, 0);
    });
  });
}
