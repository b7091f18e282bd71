import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore, SsmSessionRecord } from '../src/store/index.ts';

function session(id: string, startSecond: number, overrides: Partial<SsmSessionRecord> = {}): SsmSessionRecord {
  return {
    sessionId: id,
    target: 'ecs:c1_task1_runtime1',
    owner: 'arn:aws:iam::000000000000:root',
    status: 'Connecting',
    startDate: new Date(startSecond * 1000),
    documentName: 'AmazonECS-ExecuteInteractiveCommand',
    details: { cluster: 'c1' },
    ...overrides,
  };
}

/** The Session Manager sessions part of the store contract: every backend runs it. */
export function runSsmSessionStoreContract(backend: string, open: () => Promise<MetadataStore>): void {
  describe(`SsmSessionRepository contract: ${backend}`, () => {
    it('keeps a session and moves it only from the statuses named', async () => {
      const store = await open();
      try {
        const sessions = store.ssmSessions;
        await sessions.insert(session('s-1', 10));
        assert.deepEqual(await sessions.get('s-1'), session('s-1', 10));
        assert.equal(await sessions.transition('s-1', { from: ['Connecting'], status: 'Connected' }), true);
        // Already Connected: a second pairing does not move it.
        assert.equal(await sessions.transition('s-1', { from: ['Connecting'], status: 'Connected' }), false);
        const ended = new Date(20_000);
        assert.equal(
          await sessions.transition('s-1', { from: ['Connected'], status: 'Terminated', endDate: ended }),
          true,
        );
        assert.deepEqual(await sessions.get('s-1'), session('s-1', 10, { status: 'Terminated', endDate: ended }));
        assert.equal(await sessions.transition('missing', { from: ['Connected'], status: 'Terminated' }), false);
        assert.equal(await sessions.get('missing'), undefined);
      } finally {
        await store.close();
      }
    });

    it('lists one state newest first, filtered, in pages after a position', async () => {
      const store = await open();
      try {
        const sessions = store.ssmSessions;
        await sessions.insert(session('s-a', 10));
        await sessions.insert(session('s-b', 20, { status: 'Connected', owner: 'arn:aws:iam::000000000000:user/u' }));
        await sessions.insert(session('s-c', 20, { status: 'Terminated', endDate: new Date(25_000) }));
        await sessions.insert(session('s-d', 30, { status: 'Failed', endDate: new Date(31_000), target: 'ecs:x' }));
        const ids = (records: SsmSessionRecord[]) => records.map((r) => r.sessionId);
        assert.deepEqual(ids(await sessions.list({ state: 'Active', limit: 10 })), ['s-b', 's-a']);
        assert.deepEqual(ids(await sessions.list({ state: 'History', limit: 10 })), ['s-d', 's-c']);
        assert.deepEqual(ids(await sessions.list({ state: 'History', limit: 1 })), ['s-d']);
        assert.deepEqual(
          ids(
            await sessions.list({
              state: 'History',
              limit: 1,
              after: { startDate: new Date(30_000), sessionId: 's-d' },
            }),
          ),
          ['s-c'],
        );
        // Same start: the session id breaks the tie, descending.
        await sessions.insert(session('s-e', 20));
        assert.deepEqual(
          ids(
            await sessions.list({
              state: 'Active',
              limit: 10,
              after: { startDate: new Date(20_000), sessionId: 's-e' },
            }),
          ),
          ['s-b', 's-a'],
        );
        const filtered = (query: Partial<Parameters<typeof sessions.list>[0]>) =>
          sessions.list({ state: 'Active', limit: 10, ...query }).then(ids);
        assert.deepEqual(await filtered({ owner: 'arn:aws:iam::000000000000:user/u' }), ['s-b']);
        assert.deepEqual(await filtered({ status: 'Connecting' }), ['s-e', 's-a']);
        assert.deepEqual(await filtered({ status: 'Terminated' }), []);
        assert.deepEqual(await filtered({ invokedAfter: new Date(20_000) }), ['s-e', 's-b']);
        assert.deepEqual(await filtered({ invokedBefore: new Date(20_000) }), ['s-a']);
        assert.deepEqual(await filtered({ sessionId: 's-a' }), ['s-a']);
        assert.deepEqual(ids(await sessions.list({ state: 'History', limit: 10, target: 'ecs:x' })), ['s-d']);
      } finally {
        await store.close();
      }
    });

    it('ends what a previous run left live, and forgets what ended before a date', async () => {
      const store = await open();
      try {
        const sessions = store.ssmSessions;
        await sessions.insert(session('s-open', 10));
        await sessions.insert(session('s-live', 10, { status: 'Connected' }));
        await sessions.insert(session('s-old', 1, { status: 'Terminated', endDate: new Date(2_000) }));
        const at = new Date(50_000);
        assert.equal(await sessions.endLive(at), 2);
        assert.deepEqual(await sessions.get('s-open'), session('s-open', 10, { status: 'Failed', endDate: at }));
        assert.deepEqual(await sessions.get('s-live'), session('s-live', 10, { status: 'Terminated', endDate: at }));
        assert.equal(await sessions.deleteEndedBefore(new Date(10_000)), 1);
        assert.equal(await sessions.get('s-old'), undefined);
        assert.equal((await sessions.list({ state: 'History', limit: 10 })).length, 2);
      } finally {
        await store.close();
      }
    });
  });
}
