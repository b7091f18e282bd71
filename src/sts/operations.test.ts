import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { rootPrincipal, userPrincipal, type Principal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { stsOperations } from './operations.ts';
import type { AssumableRole } from './roles.ts';
import { SessionDirectory } from './sessions.ts';

const ACCOUNT = '000000000000';
const ROLE: AssumableRole = {
  arn: `arn:aws:iam::${ACCOUNT}:role/ops/deploy`,
  name: 'deploy',
  roleId: 'AROAEXAMPLEROLE00000',
  maxSessionDuration: 7200,
  trustPolicy: {},
};
const user = userPrincipal({ arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: 'AIDAEXAMPLE', name: 'ci' });

async function setUp() {
  const clock = new FakeClock('2026-03-01T12:00:00Z');
  const store = await SqliteStore.open(':memory:');
  const sessions = await SessionDirectory.load(store.sessions, { clock });
  const operations = stsOperations({
    sessions,
    roles: { roleByArn: (arn) => (arn === ROLE.arn ? ROLE : undefined) },
    clock,
    checkPolicy: (text) => {
      if (!text.includes('Statement')) throw new Error('Syntax errors in policy.');
    },
    managedPolicyDocument: (arn) =>
      arn === 'arn:aws:iam::aws:policy/ReadOnly'
        ? '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}'
        : undefined,
  });
  const context = (principal: Principal, accessKeyId = 'AKIACALLER'): RequestContext => ({
    requestId: 'r',
    accountId: ACCOUNT,
    region: 'us-east-1',
    accessKeyId,
    principal,
  });
  return { clock, store, sessions, operations, context };
}

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('STS operations', () => {
  it('GetCallerIdentity answers as AWS does for the root and for a user', async () => {
    const { operations, context, store } = await setUp();
    assert.deepEqual(await operations.GetCallerIdentity!({}, context(rootPrincipal(ACCOUNT))), {
      UserId: ACCOUNT,
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:root`,
    });
    assert.deepEqual(await operations.GetCallerIdentity!({}, context(user)), {
      UserId: 'AIDAEXAMPLE',
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
    });
    await store.close();
  });

  it('AssumeRole makes a role session: its ARN, AROA…:SESSION id, credentials, policy, tags and source identity', async () => {
    const { operations, context, sessions, clock, store } = await setUp();
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}';
    const out = await operations.AssumeRole!(
      {
        RoleArn: ROLE.arn,
        RoleSessionName: 'build-7',
        DurationSeconds: 7200,
        Policy: policy,
        Tags: [{ Key: 'team', Value: 'web' }],
        SourceIdentity: 'alice',
      },
      context(user),
    );
    assert.deepEqual(out.AssumedRoleUser, {
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/build-7`,
      AssumedRoleId: 'AROAEXAMPLEROLE00000:build-7',
    });
    assert.equal(out.SourceIdentity, 'alice');
    assert.ok(out.PackedPolicySize! > 0 && out.PackedPolicySize! <= 100);
    const credentials = out.Credentials!;
    assert.match(credentials.AccessKeyId, /^ASIA/);
    assert.equal(credentials.Expiration.getTime(), clock.now().getTime() + 7200_000);
    const principal = sessions.principalOf(credentials.AccessKeyId)!;
    assert.equal(principal.kind, 'assumed-role');
    assert.deepEqual(principal.session, {
      roleArn: ROLE.arn,
      roleName: 'deploy',
      sessionName: 'build-7',
      expiresAt: credentials.Expiration,
      policy,
      tags: { team: 'web' },
      sourceIdentity: 'alice',
    });
    assert.deepEqual(await operations.GetCallerIdentity!({}, context(principal, credentials.AccessKeyId)), {
      UserId: 'AROAEXAMPLEROLE00000:build-7',
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/build-7`,
    });
    await store.close();
  });

  it('AssumeRole merges managed session policies into the inline one', async () => {
    const { operations, context, sessions, store } = await setUp();
    const out = await operations.AssumeRole!(
      {
        RoleArn: ROLE.arn,
        RoleSessionName: 's',
        Policy: '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ecs:RunTask","Resource":"*"}}',
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnly' }],
      },
      context(user),
    );
    const policy = JSON.parse(sessions.principalOf(out.Credentials!.AccessKeyId)!.session!.policy!);
    assert.deepEqual(
      policy.Statement.map((s: { Effect: string }) => s.Effect),
      ['Deny', 'Allow'],
    );
    await store.close();
  });

  it('AssumeRole refuses as AWS words it', async () => {
    const { operations, context, store } = await setUp();
    const assume = (input: object, principal: Principal = user) =>
      operations.AssumeRole!({ RoleArn: ROLE.arn, RoleSessionName: 's', ...input }, context(principal));
    await rejects(
      assume({}, rootPrincipal(ACCOUNT)),
      'AccessDeniedException',
      /^Roles may not be assumed by root accounts\.$/,
    );
    await rejects(
      assume({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/none` }),
      'AccessDeniedException',
      /user\/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role\/none/,
    );
    await rejects(
      assume({ DurationSeconds: 7201 }),
      'ValidationError',
      /^The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.$/,
    );
    await rejects(assume({ Policy: '{}' }), 'MalformedPolicyDocument', /Syntax errors in policy/);
    await rejects(assume({ PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/None' }] }), 'ValidationError', /None/);
    await rejects(
      assume({
        Tags: [
          { Key: 'Team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
      }),
      'ValidationError',
      /Duplicate tag keys found/,
    );
    await rejects(assume({ SourceIdentity: 'aws:me' }), 'ValidationError', /aws:/);
    await store.close();
  });

  it('AssumeRole from a role session (role chaining) lasts at most an hour and keeps the source identity', async () => {
    const { operations, context, sessions, store } = await setUp();
    const first = await operations.AssumeRole!(
      { RoleArn: ROLE.arn, RoleSessionName: 'one', SourceIdentity: 'alice' },
      context(user),
    );
    const keyId = first.Credentials!.AccessKeyId;
    const session = sessions.principalOf(keyId)!;
    await rejects(
      operations.AssumeRole!(
        { RoleArn: ROLE.arn, RoleSessionName: 'two', DurationSeconds: 3601 },
        context(session, keyId),
      ),
      'ValidationError',
      /exceeds the 1 hour session limit for roles assumed by role chaining/,
    );
    const second = await operations.AssumeRole!({ RoleArn: ROLE.arn, RoleSessionName: 'two' }, context(session, keyId));
    assert.equal(second.SourceIdentity, 'alice');
    await store.close();
  });

  it('GetSessionToken: 12 hours by default, the root at most one, never from session credentials', async () => {
    const { operations, context, sessions, clock, store } = await setUp();
    const own = await operations.GetSessionToken!({}, context(user));
    assert.equal(own.Credentials!.Expiration.getTime(), clock.now().getTime() + 43_200_000);
    assert.deepEqual(sessions.principalOf(own.Credentials!.AccessKeyId), user);
    const root = await operations.GetSessionToken!({ DurationSeconds: 129_600 }, context(rootPrincipal(ACCOUNT)));
    assert.equal(root.Credentials!.Expiration.getTime(), clock.now().getTime() + 3600_000);
    await rejects(
      operations.GetSessionToken!({}, context(user, own.Credentials!.AccessKeyId)),
      'AccessDeniedException',
      /^Cannot call GetSessionToken with session credentials$/,
    );
    await store.close();
  });
});
