import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { ExecSessionHistory, SESSION_HISTORY_MS, execSessionRecord } from './exec-session-history.ts';
import type { ExecSession } from './exec-sessions.ts';

function session(id: string, clock: FakeClock, expiresInMs = 60_000): ExecSession {
  return {
    sessionId: id,
    cluster: 'web',
    taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/web/0123abcd',
    containerName: 'app',
    containerArn: 'arn:aws:ecs:us-east-1:000000000000:container/web/0123abcd/1',
    containerRuntimeId: 'c0ffee',
    command: 'sh',
    interactive: true,
    agentKey: 'i-1',
    principalArn: 'arn:aws:iam::000000000000:user/alice',
    log: { group: '/exec', stream: id },
    createdAt: clock.now(),
    expiresAt: new Date(clock.now().getTime() + expiresInMs),
  };
}

describe('ExecSessionHistory', () => {
  let store: SqliteStore;
  const clock = new FakeClock();
  let history: ExecSessionHistory;
  before(async () => {
    store = await SqliteStore.open(':memory:');
    history = new ExecSessionHistory(store, clock, { info: () => {}, warn: () => {} });
  });
  after(async () => {
    history.close();
    await store.close();
  });

  it("names the session's target and document as SSM does for ECS Exec", () => {
    const record = execSessionRecord(session('s', clock));
    assert.equal(record.target, 'ecs:web_0123abcd_c0ffee');
    assert.equal(record.documentName, 'AmazonECS-ExecuteInteractiveCommand');
    assert.equal(record.owner, 'arn:aws:iam::000000000000:user/alice');
    assert.equal(record.status, 'Connecting');
  });

  it('is Connecting when opened, Connected once paired, Terminated when it ends', async () => {
    await history.opened(session('s-1', clock));
    assert.equal((await store.ssmSessions.get('s-1'))?.status, 'Connecting');
    history.connected('s-1');
    await history.settled();
    assert.equal((await store.ssmSessions.get('s-1'))?.status, 'Connected');
    clock.advance(5_000);
    history.ended('s-1', { connected: true });
    await history.settled();
    const ended = await store.ssmSessions.get('s-1');
    assert.equal(ended?.status, 'Terminated');
    assert.deepEqual(ended?.endDate, clock.now());
  });

  it('is Failed when it ends before both sides joined, or nobody joined before it expired', async () => {
    await history.opened(session('s-2', clock));
    history.ended('s-2', { connected: false });
    await history.opened(session('s-3', clock, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await history.settled();
    assert.equal((await store.ssmSessions.get('s-2'))?.status, 'Failed');
    assert.equal((await store.ssmSessions.get('s-3'))?.status, 'Failed');
  });

  it('keeps an ended session 30 days', async () => {
    clock.advance(SESSION_HISTORY_MS - 1);
    assert.equal(await history.prune(), 0);
    clock.advance(10_000);
    assert.equal(await history.prune(), 3); // s-1, s-2 and s-3 ended more than 30 days ago
  });
});
