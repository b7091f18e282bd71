import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskAssignment, TaskRoleKind } from '../ecs/index.ts';
import type { RoleCredentialsDocument } from './metadata/metadata-server.ts';
import { ResourceInitializationError } from './runtime.ts';
import { TaskRoles, type CredentialsEndpoint, type CredentialsRouter } from './task-roles.ts';

const TASK_ID = '0123456789abcdef0123456789abcdef';

function assignment(overrides: Partial<TaskAssignment> = {}): TaskAssignment {
  return {
    cluster: 'web',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/web',
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/web/${TASK_ID}`,
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    launchType: 'EC2',
    family: 'app',
    revision: 1,
    networkMode: 'bridge',
    cpu: 0,
    memory: 0,
    containers: [{ name: 'app', image: 'app:1' }],
    volumes: [],
    bindings: {},
    subnets: [],
    createdAt: '2026-12-03T00:00:00.000Z',
    taskRoleArn: 'arn:aws:iam::000000000000:role/app',
    ...overrides,
  };
}

/** A control plane issuing numbered sessions that last `lifetimeMs` on the given clock. */
function fakes(options: { lifetimeMs?: number; refuse?: boolean } = {}) {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const issued: TaskRoleKind[] = [];
  const documents = new Map<string, () => Promise<RoleCredentialsDocument>>();
  const rules: string[] = [];
  const endpoint: CredentialsEndpoint = {
    port: 51679,
    addresses: { bridge: '172.17.0.1', awsvpc: '172.30.0.1', host: '127.0.0.1' },
    credentialsIdFor: (taskArn) => `id-${taskArn.split('/').at(-1)}`,
    registerCredentials: (id, current) => void documents.set(id, current),
    deregisterCredentials: (id) => void documents.delete(id),
  };
  const router: CredentialsRouter = {
    newContainerMac: () => '02:00:00:00:00:01',
    addContainer: async (route) => void rules.push(`+${route.mac}>${route.address}:${route.port} ${route.taskId}`),
    removeContainer: async (route) => void rules.push(`-${route.mac}`),
    addHost: async (route) => void rules.push(`+host:${route.port}`),
    removeHost: async (route) => void rules.push(`-host:${route.port}`),
  };
  const roles = new TaskRoles({
    control: {
      taskCredentials: async (_task, role) => {
        if (options.refuse) throw new Error("ECS was unable to assume the role 'arn:aws:iam::000000000000:role/app'");
        issued.push(role);
        return {
          roleArn: 'arn:aws:iam::000000000000:role/app',
          accessKeyId: `ASIA${issued.length}`,
          secretAccessKey: 'secret',
          sessionToken: 'token',
          expiration: new Date(now + (options.lifetimeMs ?? 6 * 3600_000)),
        };
      },
    },
    endpoint,
    router,
    owner: 'i-0123',
    now: () => new Date(now),
    log: { warn: () => {} },
  });
  return { roles, issued, documents, rules, advance: (ms: number) => (now += ms) };
}

describe('TaskRoles', () => {
  it('serves the task role session at the id the variable names, renewed before it expires', async () => {
    const { roles, issued, documents, advance } = fakes({ lifetimeMs: 3600_000 });
    const environment = await roles.attach(assignment());
    assert.deepEqual(environment, { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/id-${TASK_ID}` });
    const current = documents.get(`id-${TASK_ID}`)!;
    assert.deepEqual(await current(), {
      RoleArn: 'arn:aws:iam::000000000000:role/app',
      AccessKeyId: 'ASIA1',
      SecretAccessKey: 'secret',
      Token: 'token',
      Expiration: '2026-12-03T13:00:00Z',
    });
    advance(54 * 60_000); // six minutes left: still the first session
    assert.equal((await current()).AccessKeyId, 'ASIA1');
    advance(2 * 60_000); // four minutes left: renewed
    assert.equal((await current()).AccessKeyId, 'ASIA2');
    assert.deepEqual(issued, ['task', 'task']);
  });

  it('routes a bridge container by the MAC it chose, and takes the routes and the id away on release', async () => {
    const { roles, documents, rules } = fakes();
    const task = assignment();
    await roles.attach(task);
    assert.equal(await roles.routedContainerMac(task), '02:00:00:00:00:01');
    assert.deepEqual(rules, [`+02:00:00:00:00:01>172.17.0.1:51679 ${TASK_ID}`]);
    await roles.release(task);
    assert.deepEqual(rules.at(-1), '-02:00:00:00:00:01');
    assert.equal(documents.size, 0);
  });

  it('routes an awsvpc task through its network gateway, and leaves other tasks alone', async () => {
    const { roles, rules } = fakes();
    const task = assignment({ networkMode: 'awsvpc' });
    await roles.attach(task);
    await roles.route(task, '02:42:ac:1e:00:05');
    assert.deepEqual(rules, [`+02:42:ac:1e:00:05>172.30.0.1:51679 ${TASK_ID}`]);
    assert.equal(await roles.routedContainerMac(task), undefined);
    assert.equal(await roles.routedContainerMac(assignment({ taskRoleArn: undefined })), undefined);
  });

  it('routes the host once for every host-mode task, until the last one is released', async () => {
    const { roles, rules } = fakes();
    const first = assignment({ networkMode: 'host' });
    const second = assignment({ networkMode: 'host', taskArn: first.taskArn.replace(TASK_ID, 'f'.repeat(32)) });
    await roles.attach(first);
    await roles.attach(second);
    await roles.release(first);
    assert.deepEqual(rules, ['+host:51679']);
    await roles.release(second);
    assert.deepEqual(rules, ['+host:51679', '-host:51679']);
  });

  it('gives no variable without a task role, and fails the task when the role cannot be had', async () => {
    assert.deepEqual(await fakes().roles.attach(assignment({ taskRoleArn: undefined })), {});
    await assert.rejects(fakes({ refuse: true }).roles.attach(assignment()), (error: unknown) => {
      assert.ok(error instanceof ResourceInitializationError);
      assert.match(error.message, /^unable to get the task role's credentials: ECS was unable to assume the role/);
      return true;
    });
  });

  it('keeps the execution role apart: its own session, asked for only when used', async () => {
    const { roles, issued } = fakes();
    const task = assignment({ taskRoleArn: undefined, executionRoleArn: 'arn:aws:iam::000000000000:role/exec' });
    const source = roles.executionCredentials(task)!;
    assert.deepEqual(issued, []);
    assert.equal((await source.current()).accessKeyId, 'ASIA1');
    assert.deepEqual(issued, ['execution']);
    assert.equal(roles.executionCredentials(assignment({ executionRoleArn: undefined })), undefined);
  });
});
