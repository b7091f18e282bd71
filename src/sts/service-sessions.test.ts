import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { ServiceRoleSessions, ServiceRoleUnassumable, SERVICE_SESSION_SECONDS } from './service-sessions.ts';
import { SessionDirectory } from './sessions.ts';

const ROLE = {
  arn: 'arn:aws:iam::000000000000:role/app',
  name: 'app',
  roleId: 'AROAEXAMPLE000000000',
  maxSessionDuration: 3600,
  trustPolicy: ['ecs-tasks.amazonaws.com'],
};
const TASK = 'arn:aws:ecs:us-east-1:000000000000:task/web/0123456789abcdef0123456789abcdef';

async function setUp() {
  const clock = new FakeClock('2026-03-01T12:00:00Z');
  const store = await SqliteStore.open(':memory:');
  const sessions = await SessionDirectory.load(store.sessions, { clock });
  const asked: Record<string, string>[] = [];
  const service = new ServiceRoleSessions<readonly string[]>({
    roles: { roleByArn: (arn) => (arn === ROLE.arn ? ROLE : undefined) },
    sessions,
    clock,
    trusts: (role, principal, context) => {
      asked.push(context);
      return role.trustPolicy.includes(principal);
    },
  });
  return { clock, store, sessions, service, asked };
}

describe('ServiceRoleSessions', () => {
  it('issues a session of the role named for the task, owned by it, for six hours', async () => {
    const { clock, store, sessions, service, asked } = await setUp();
    const issued = await service.issue({
      roleArn: ROLE.arn,
      service: 'ecs-tasks.amazonaws.com',
      sessionName: '0123456789abcdef0123456789abcdef',
      owner: TASK,
    });
    assert.equal(issued.roleArn, ROLE.arn);
    assert.equal(issued.expiration.getTime() - clock.now().getTime(), SERVICE_SESSION_SECONDS * 1000);
    assert.equal(
      sessions.principalOf(issued.accessKeyId)?.arn,
      'arn:aws:sts::000000000000:assumed-role/app/0123456789abcdef0123456789abcdef',
    );
    assert.deepEqual(asked, [{ 'aws:SourceAccount': '000000000000', 'aws:SourceArn': TASK }]);
    assert.equal(await service.revoke(TASK), 1);
    assert.equal(sessions.secretFor(issued.accessKeyId), undefined);
    await store.close();
  });

  it('refuses a role that is gone or does not trust the service', async () => {
    const { store, service } = await setUp();
    const request = { service: 'ecs-tasks.amazonaws.com', sessionName: 's', owner: TASK };
    await assert.rejects(
      service.issue({ ...request, roleArn: 'arn:aws:iam::000000000000:role/gone' }),
      ServiceRoleUnassumable,
    );
    await assert.rejects(
      service.issue({ ...request, roleArn: ROLE.arn, service: 'ec2.amazonaws.com' }),
      (error: unknown) => error instanceof ServiceRoleUnassumable && error.roleArn === ROLE.arn,
    );
    await store.close();
  });
});
