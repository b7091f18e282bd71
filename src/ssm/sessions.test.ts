import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { SsmSessionRecord } from '../store/index.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { ssmAccess } from './access.ts';
import { compileSessionFilters } from './session-filters.ts';
import { ssmOperations } from './operations.ts';
import type { SsmApi } from './shapes.generated.ts';

const context = { requestId: 'r', accountId: '000000000000', region: 'us-east-1' } as unknown as RequestContext;

function record(id: string, minute: number, overrides: Partial<SsmSessionRecord> = {}): SsmSessionRecord {
  return {
    sessionId: id,
    target: 'ecs:web_abc_c0ffee',
    owner: 'arn:aws:iam::000000000000:user/alice',
    status: 'Connected',
    startDate: new Date(Date.UTC(2026, 0, 1, 0, minute)),
    documentName: 'AmazonECS-ExecuteInteractiveCommand',
    details: {},
    ...overrides,
  };
}

describe('compileSessionFilters', () => {
  const cases: { name: string; filters: { key: string; value: string }[]; expected: unknown }[] = [
    { name: 'none given', filters: [], expected: {} },
    {
      name: 'the latest InvokedAfter and the earliest InvokedBefore',
      filters: [
        { key: 'InvokedAfter', value: '2026-01-01T00:00:00Z' },
        { key: 'InvokedAfter', value: '2026-01-02T00:00:00Z' },
        { key: 'InvokedBefore', value: '2026-02-01T00:00:00Z' },
      ],
      expected: { invokedAfter: new Date('2026-01-02T00:00:00Z'), invokedBefore: new Date('2026-02-01T00:00:00Z') },
    },
    {
      name: 'exact values',
      filters: [
        { key: 'Target', value: 'ecs:a_b_c' },
        { key: 'Owner', value: 'arn:aws:iam::000000000000:root' },
        { key: 'SessionId', value: 's' },
        { key: 'Status', value: 'Failed' },
        { key: 'AccessType', value: 'Standard' },
      ],
      expected: { target: 'ecs:a_b_c', owner: 'arn:aws:iam::000000000000:root', sessionId: 's', status: 'Failed' },
    },
    {
      name: 'two targets: no session is both',
      filters: [
        { key: 'Target', value: 'a' },
        { key: 'Target', value: 'b' },
      ],
      expected: 'none',
    },
    {
      name: "JustInTime: ECS Exec's sessions are Standard",
      filters: [{ key: 'AccessType', value: 'JustInTime' }],
      expected: 'none',
    },
  ];
  for (const { name, filters, expected } of cases) {
    it(name, () => assert.deepEqual(compileSessionFilters(filters as never), expected));
  }

  it("refuses a date that does not parse, and a status SSM does not have, with SSM's ValidationException", () => {
    assert.throws(() => compileSessionFilters([{ key: 'InvokedAfter', value: 'yesterday' }]), {
      code: 'ValidationException',
    });
    assert.throws(() => compileSessionFilters([{ key: 'Status', value: 'Running' }]), { code: 'ValidationException' });
  });
});

describe('Session Manager session operations', () => {
  let store: SqliteStore;
  let ssm: SsmApi;
  const clock = new FakeClock('2026-01-02T00:00:00Z');
  const terminated: string[] = [];
  before(async () => {
    store = await SqliteStore.open(':memory:');
    ssm = ssmOperations({
      store,
      clock,
      cipher: undefined as never,
      authorize: async () => {},
      liveSessions: { terminate: (id) => (terminated.push(id), true) },
    }) as SsmApi;
    for (let minute = 0; minute < 5; minute++) await store.ssmSessions.insert(record(`live-${minute}`, minute));
    await store.ssmSessions.insert(
      record('done', 10, { status: 'Terminated', endDate: new Date(Date.UTC(2026, 0, 1, 0, 11)) }),
    );
  });
  after(() => store.close());

  it('lists one state newest first, in pages of MaxResults', async () => {
    const first = await ssm.DescribeSessions({ State: 'Active', MaxResults: 2 }, context);
    assert.deepEqual(
      first.Sessions?.map((s) => s.SessionId),
      ['live-4', 'live-3'],
    );
    assert.equal(first.Sessions?.[0]?.AccessType, 'Standard');
    assert.equal(first.Sessions?.[0]?.EndDate, undefined);
    const second = await ssm.DescribeSessions({ State: 'Active', MaxResults: 2, NextToken: first.NextToken! }, context);
    assert.deepEqual(
      second.Sessions?.map((s) => s.SessionId),
      ['live-2', 'live-1'],
    );
    const last = await ssm.DescribeSessions({ State: 'Active', MaxResults: 2, NextToken: second.NextToken! }, context);
    assert.deepEqual(
      last.Sessions?.map((s) => s.SessionId),
      ['live-0'],
    );
    assert.equal(last.NextToken, undefined);
    const history = await ssm.DescribeSessions({ State: 'History' }, context);
    assert.deepEqual(
      history.Sessions?.map((s) => [s.SessionId, s.Status, s.EndDate?.toISOString()]),
      [['done', 'Terminated', '2026-01-01T00:11:00.000Z']],
    );
  });

  it("refuses a token that is not one, or another state's, with InvalidNextToken", async () => {
    const first = await ssm.DescribeSessions({ State: 'Active', MaxResults: 1 }, context);
    await assert.rejects(ssm.DescribeSessions({ State: 'History', NextToken: first.NextToken! }, context), {
      code: 'InvalidNextToken',
    });
    await assert.rejects(ssm.DescribeSessions({ State: 'Active', NextToken: 'not-a-token' }, context), {
      code: 'InvalidNextToken',
    });
  });

  it('terminates a live session once: Terminated with its end date, its streams closed', async () => {
    assert.deepEqual(await ssm.TerminateSession({ SessionId: 'live-0' }, context), { SessionId: 'live-0' });
    const stored = await store.ssmSessions.get('live-0');
    assert.equal(stored?.status, 'Terminated');
    assert.deepEqual(stored?.endDate, clock.now());
    assert.deepEqual(terminated, ['live-0']);
    // Again, an ended session, an unknown one: answered alike, nothing more to close.
    assert.deepEqual(await ssm.TerminateSession({ SessionId: 'live-0' }, context), { SessionId: 'live-0' });
    assert.deepEqual(await ssm.TerminateSession({ SessionId: 'unknown' }, context), { SessionId: 'unknown' });
    assert.deepEqual(terminated, ['live-0']);
  });

  it("asks ssm:DescribeSessions on * and ssm:TerminateSession on the session's ARN", () => {
    assert.deepEqual(ssmAccess.DescribeSessions!({ State: 'Active' } as never, context), [
      { action: 'ssm:DescribeSessions', resource: '*' },
    ]);
    assert.deepEqual(ssmAccess.TerminateSession!({ SessionId: 'ecs-execute-command-0a' } as never, context), [
      { action: 'ssm:TerminateSession', resource: 'arn:aws:ssm:us-east-1:000000000000:session/ecs-execute-command-0a' },
    ]);
  });
});
