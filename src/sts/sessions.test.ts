import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { rootPrincipal, userPrincipal } from '../shared/principal.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { withSessions } from './credentials.ts';
import { assumedRolePrincipal } from './session-principal.ts';
import { EXPIRED_SESSION_RETENTION_MS, SessionDirectory } from './sessions.ts';

const role = { arn: 'arn:aws:iam::000000000000:role/deploy', name: 'deploy', roleId: 'AROAEXAMPLE000000000' };
const user = userPrincipal({ arn: 'arn:aws:iam::000000000000:user/ci', userId: 'AIDAEXAMPLE', name: 'ci' });

async function directory(clock: FakeClock) {
  const store = await SqliteStore.open(':memory:');
  return { store, sessions: await SessionDirectory.load(store.sessions, { clock }) };
}

describe('SessionDirectory', () => {
  it('answers for a session until it expires, then only says that it expired', async () => {
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    const { store, sessions } = await directory(clock);
    const expiresAt = new Date(clock.now().getTime() + 900_000);
    const principal = assumedRolePrincipal(role, { sessionName: 'build', expiresAt, tags: { team: 'a' } });
    const issued = await sessions.issue({ principal, kind: 'assumed-role', sourceAccessKeyId: 'AKIAX', expiresAt });
    assert.match(issued.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(sessions.secretFor(issued.accessKeyId), issued.secretAccessKey);
    assert.equal(sessions.principalOf(issued.accessKeyId)?.arn, 'arn:aws:sts::000000000000:assumed-role/deploy/build');
    assert.equal(sessions.principalOf(issued.accessKeyId)?.userId, 'AROAEXAMPLE000000000:build');
    const session = sessions.sessionOf(issued.accessKeyId)!;
    assert.equal(session.hasToken(issued.sessionToken), true);
    assert.equal(session.hasToken(issued.sessionToken + 'x'), false);
    assert.equal(session.refusedServices, undefined);

    clock.advance(900_000); // 15 minutes: expired
    assert.equal(sessions.secretFor(issued.accessKeyId), undefined);
    assert.equal(sessions.principalOf(issued.accessKeyId), undefined);
    assert.equal(sessions.sessionOf(issued.accessKeyId)?.expiresAt.getTime(), expiresAt.getTime());
    await store.close();
  });

  it('keeps sessions across a restart: the secret sealed, the token as its hash', async () => {
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    const { store, sessions } = await directory(clock);
    const expiresAt = new Date(clock.now().getTime() + 3600_000);
    const principal = assumedRolePrincipal(role, { sessionName: 's', expiresAt, policy: '{"Statement":[]}' });
    const issued = await sessions.issue({ principal, kind: 'assumed-role', sourceAccessKeyId: 'AKIAX', expiresAt });
    const [row] = await store.sessions.list();
    assert.notEqual(row?.tokenHash, issued.sessionToken);
    assert.equal(JSON.stringify(row?.body).includes(issued.sessionToken), false);

    const reloaded = await SessionDirectory.load(store.sessions, { clock });
    assert.equal(reloaded.secretFor(issued.accessKeyId), issued.secretAccessKey);
    assert.deepEqual(reloaded.principalOf(issued.accessKeyId), principal);
    assert.equal(reloaded.sessionOf(issued.accessKeyId)?.hasToken(issued.sessionToken), true);
    await store.close();
  });

  it('refuses IAM to GetSessionToken credentials, which act as the user that asked', async () => {
    const clock = new FakeClock();
    const { store, sessions } = await directory(clock);
    const expiresAt = new Date(clock.now().getTime() + 43_200_000);
    const issued = await sessions.issue({
      principal: user,
      kind: 'session-token',
      sourceAccessKeyId: 'AKIAX',
      expiresAt,
    });
    assert.deepEqual(sessions.principalOf(issued.accessKeyId), user);
    assert.deepEqual(sessions.sessionOf(issued.accessKeyId)?.refusedServices, ['iam']);
    assert.equal(sessions.kindOf(issued.accessKeyId), 'session-token');
    await store.close();
  });

  it('sweeps sessions a day after they expired, from memory and the store', async () => {
    const clock = new FakeClock();
    const { store, sessions } = await directory(clock);
    const expiresAt = new Date(clock.now().getTime() + 900_000);
    const issued = await sessions.issue({
      principal: user,
      kind: 'session-token',
      sourceAccessKeyId: 'AKIAX',
      expiresAt,
    });
    clock.advance(900_000 + EXPIRED_SESSION_RETENTION_MS - 1);
    assert.equal(await sessions.sweep(), 0);
    assert.notEqual(sessions.sessionOf(issued.accessKeyId), undefined);
    clock.advance(2);
    assert.equal(await sessions.sweep(), 1);
    assert.equal(sessions.sessionOf(issued.accessKeyId), undefined);
    assert.deepEqual(await store.sessions.list(), []);
    await store.close();
  });
});

describe('SessionDirectory.revokeOwnedBy', () => {
  it('ends the sessions issued for an owner, here, in the store and after a restart, and no others', async () => {
    const clock = new FakeClock();
    const { store, sessions } = await directory(clock);
    const expiresAt = new Date(clock.now().getTime() + 3600_000);
    const principal = assumedRolePrincipal(role, { sessionName: 'task1', expiresAt });
    const issue = (owner: string) =>
      sessions.issue({
        principal,
        kind: 'assumed-role',
        sourceAccessKeyId: 'ecs-tasks.amazonaws.com',
        expiresAt,
        owner,
      });
    const first = await issue('arn:aws:ecs:us-east-1:000000000000:task/c/1');
    const renewed = await issue('arn:aws:ecs:us-east-1:000000000000:task/c/1');
    const other = await issue('arn:aws:ecs:us-east-1:000000000000:task/c/2');
    assert.equal(await sessions.revokeOwnedBy('arn:aws:ecs:us-east-1:000000000000:task/c/1'), 2);
    for (const gone of [first, renewed]) {
      assert.equal(sessions.secretFor(gone.accessKeyId), undefined);
      assert.equal(sessions.sessionOf(gone.accessKeyId), undefined);
    }
    assert.equal(sessions.secretFor(other.accessKeyId), other.secretAccessKey);
    const reloaded = await SessionDirectory.load(store.sessions, { clock });
    assert.equal(reloaded.secretFor(first.accessKeyId), undefined);
    assert.equal(await reloaded.revokeOwnedBy('arn:aws:ecs:us-east-1:000000000000:task/c/2'), 1);
    assert.equal(reloaded.secretFor(other.accessKeyId), undefined);
    await store.close();
  });
});

describe('withSessions', () => {
  it('answers session keys from the sessions and every other key from the long-term lookup', async () => {
    const clock = new FakeClock();
    const { store, sessions } = await directory(clock);
    const root = rootPrincipal('000000000000');
    const longTerm = {
      secretFor: (id: string) => (id === 'AKIAROOT' ? 'root-secret' : undefined),
      principalOf: (id: string) => (id === 'AKIAROOT' ? root : undefined),
    };
    const lookup = withSessions(longTerm, sessions);
    const expiresAt = new Date(clock.now().getTime() + 900_000);
    const issued = await sessions.issue({
      principal: root,
      kind: 'session-token',
      sourceAccessKeyId: 'AKIAROOT',
      expiresAt,
    });
    assert.equal(lookup.secretFor('AKIAROOT'), 'root-secret');
    assert.equal(lookup.sessionOf('AKIAROOT'), undefined);
    assert.equal(lookup.secretFor(issued.accessKeyId), issued.secretAccessKey);
    assert.equal(lookup.principalOf(issued.accessKeyId), root);
    assert.equal(lookup.secretFor('ASIAUNKNOWN'), undefined);
    await store.close();
  });
});
