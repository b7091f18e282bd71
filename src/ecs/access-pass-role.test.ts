import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessRequest } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { FakeClock } from '../shared/clock.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { authorizeDefinitionRoles, definitionRoleRequests } from './access-pass-role.ts';

const clock = new FakeClock();
const context = { region: 'us-east-1', accountId: '000000000000' } as RequestContext;
const role = (name: string) => `arn:aws:iam::000000000000:role/${name}`;
const passed = (name: string): AccessRequest => ({
  action: 'iam:PassRole',
  resource: role(name),
  conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
});

test('a task definition passes both its roles, less those the call overrides', () => {
  const definition = { taskRoleArn: role('task'), executionRoleArn: role('exec') };
  assert.deepEqual(definitionRoleRequests(definition, undefined, '000000000000'), [passed('task'), passed('exec')]);
  assert.deepEqual(definitionRoleRequests(definition, { taskRoleArn: role('other') }, '000000000000'), [
    passed('exec'),
  ]);
  assert.deepEqual(definitionRoleRequests({}, undefined, '000000000000'), []);
});

async function withDefinition(body: Record<string, unknown>) {
  const store = await SqliteStore.open(':memory:');
  await store.taskDefinitions.registerNext('app', (revision) => ({
    family: 'app',
    revision,
    arn: `arn:aws:ecs:us-east-1:000000000000:task-definition/app:${revision}`,
    status: 'ACTIVE',
    registeredAt: new Date(0),
    body: { family: 'app', revision, ...body },
    tags: [],
  }));
  return store;
}

test('the second step reads the task definition and asks for PassRole on its roles', async () => {
  const store = await withDefinition({ taskRoleArn: role('task'), executionRoleArn: role('exec') });
  try {
    const asked: AccessRequest[][] = [];
    const authorize = async (_context: unknown, requests: readonly AccessRequest[]) => {
      asked.push([...requests]);
    };
    await authorizeDefinitionRoles({ store, clock, authorize }, context, { taskDefinition: 'app' });
    assert.deepEqual(asked, [[passed('task'), passed('exec')]]);
  } finally {
    await store.close();
  }
});

test('a denial of the second step fails the call; no roles, unknown definition or no authorize: nothing asked', async () => {
  const store = await withDefinition({});
  try {
    let calls = 0;
    const deny = async () => {
      calls += 1;
      throw new Error('AccessDenied');
    };
    await authorizeDefinitionRoles({ store, clock, authorize: deny }, context, { taskDefinition: 'app:1' });
    await authorizeDefinitionRoles({ store, clock, authorize: deny }, context, { taskDefinition: 'missing:1' });
    await authorizeDefinitionRoles({ store, clock }, context, { taskDefinition: 'app:1' });
    assert.equal(calls, 0);
  } finally {
    await store.close();
  }
  const withRole = await withDefinition({ executionRoleArn: role('exec') });
  try {
    await assert.rejects(
      authorizeDefinitionRoles(
        {
          store: withRole,
          clock,
          authorize: async () => {
            throw new Error('AccessDenied');
          },
        },
        context,
        { taskDefinition: 'app' },
      ),
      /AccessDenied/,
    );
  } finally {
    await withRole.close();
  }
});
