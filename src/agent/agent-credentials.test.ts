import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefreshingCredentials, type AgentCredentials } from './agent-credentials.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;

/** A fake STS: session n is ASIA000n, lasting `lifetimeMs` from the fake clock's time of issue. */
function fakeIssuer(clock: { ms: number }, lifetimeMs: number) {
  const issued: string[] = [];
  let failing: Error | undefined;
  const issue = async (): Promise<AgentCredentials & { expiration: Date }> => {
    if (failing) throw failing;
    const accessKeyId = `ASIA000${issued.length + 1}`;
    issued.push(accessKeyId);
    return {
      accessKeyId,
      secretAccessKey: 'secret',
      sessionToken: `token-${accessKeyId}`,
      expiration: new Date(clock.ms + lifetimeMs),
    };
  };
  return {
    issued,
    issue,
    fail(error: Error | undefined) {
      failing = error;
    },
  };
}

describe('RefreshingCredentials', () => {
  it('keeps a session until 5 minutes before it ends, then takes the next one', async () => {
    const clock = { ms: T0 };
    const sts = fakeIssuer(clock, 60 * MIN);
    const source = new RefreshingCredentials(sts.issue, { now: () => new Date(clock.ms) });
    assert.equal((await source.current()).accessKeyId, 'ASIA0001');
    clock.ms = T0 + 54 * MIN; // 60 - 54 = 6 minutes left: kept
    assert.equal((await source.current()).accessKeyId, 'ASIA0001');
    clock.ms = T0 + 55 * MIN; // 5 minutes left: renewed
    const next = await source.current();
    assert.equal(next.accessKeyId, 'ASIA0002');
    assert.equal(next.sessionToken, 'token-ASIA0002');
    assert.deepEqual(sts.issued, ['ASIA0001', 'ASIA0002']);
  });

  it('renews a short session half-way through', async () => {
    const clock = { ms: T0 };
    const sts = fakeIssuer(clock, 8 * MIN);
    const source = new RefreshingCredentials(sts.issue, { now: () => new Date(clock.ms) });
    await source.current();
    clock.ms = T0 + 4 * MIN - 1; // renews at 8 / 2 = 4 minutes
    assert.equal((await source.current()).accessKeyId, 'ASIA0001');
    clock.ms = T0 + 4 * MIN;
    assert.equal((await source.current()).accessKeyId, 'ASIA0002');
  });

  it('asks STS once for callers that need a session at the same time', async () => {
    const clock = { ms: T0 };
    const sts = fakeIssuer(clock, 60 * MIN);
    const source = new RefreshingCredentials(sts.issue, { now: () => new Date(clock.ms) });
    const keys = await Promise.all([source.current(), source.current(), source.current()]);
    assert.deepEqual(
      keys.map((k) => k.accessKeyId),
      ['ASIA0001', 'ASIA0001', 'ASIA0001'],
    );
    assert.equal(sts.issued.length, 1);
  });

  it('keeps the held session while a renewal fails, and fails once the session has ended', async () => {
    const clock = { ms: T0 };
    const sts = fakeIssuer(clock, 60 * MIN);
    const failures: unknown[] = [];
    const source = new RefreshingCredentials(sts.issue, {
      now: () => new Date(clock.ms),
      onRenewalFailed: (error) => failures.push(error),
    });
    await source.current();
    sts.fail(new Error('STS unreachable'));
    clock.ms = T0 + 58 * MIN;
    assert.equal((await source.current()).accessKeyId, 'ASIA0001', 'still good for 2 minutes');
    assert.equal(failures.length, 1);
    clock.ms = T0 + 60 * MIN;
    await assert.rejects(source.current(), /STS unreachable/);
    sts.fail(undefined);
    assert.equal((await source.current()).accessKeyId, 'ASIA0002', 'renewed once STS answers again');
  });

  it('fails at the first call when no session can be had', async () => {
    const clock = { ms: T0 };
    const sts = fakeIssuer(clock, 60 * MIN);
    sts.fail(new Error('AccessDenied: not authorized to perform: sts:AssumeRole'));
    const source = new RefreshingCredentials(sts.issue, { now: () => new Date(clock.ms) });
    await assert.rejects(source.current(), /sts:AssumeRole/);
  });
});
