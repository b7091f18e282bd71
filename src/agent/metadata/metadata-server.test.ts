import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TaskAssignment } from '../../ecs/index.ts';
import { startMetadataServer, type MetadataServer } from './metadata-server.ts';
import type { TaskMetadataSnapshot } from './task-metadata.ts';

// The server on 127.0.0.1 with a fake source: routing, tokens, errors, stats, and its ports.

const TASK_ID = '8f03e41243824aea923aca126495f665';
const task: TaskAssignment = {
  cluster: 'prod',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/prod',
  taskArn: `arn:aws:ecs:us-east-1:000000000000:task/prod/${TASK_ID}`,
  desiredStatus: 'RUNNING',
  lastStatus: 'RUNNING',
  launchType: 'FARGATE',
  family: 'web',
  revision: 3,
  networkMode: 'awsvpc',
  cpu: 1024,
  memory: 2048,
  containers: [
    { name: 'app', image: 'app:1' },
    { name: 'side_car', image: 'side:1' },
  ],
  volumes: [],
  bindings: {},
  subnets: ['subnet-1'],
  createdAt: '2020-01-01T00:00:00.000Z',
};
const snapshot: TaskMetadataSnapshot = {
  task,
  lastStatus: 'RUNNING',
  containers: [
    { name: 'app', status: 'RUNNING', runtimeId: 'c-app', bindings: [] },
    { name: 'side_car', status: 'PENDING', bindings: [] },
  ],
  network: { ipv4: '192.168.0.9', mac: '02:42:c0:a8:00:09', sandboxId: 'c-pause' },
  availabilityZone: 'us-east-1a',
};
const stats: Record<string, object> = {
  'c-app': { read: '2020-01-01T00:00:01Z', cpu_stats: { online_cpus: 2 } },
  'c-pause': { read: '2020-01-01T00:00:01Z', networks: { eth0: { rx_bytes: 42 } } },
};

describe('the task metadata server', () => {
  let server: MetadataServer;
  const asked: string[] = [];

  before(async () => {
    server = await startMetadataServer({
      addresses: { awsvpc: '127.0.0.1', host: '127.0.0.1' },
      port: 0,
      secret: 'test secret',
      source: { stats: async (id) => stats[id] },
    });
    server.register(task.taskArn, async () => (asked.push(TASK_ID), snapshot));
  });
  after(() => server.close());

  const get = async (url: string, init?: RequestInit) => {
    const response = await fetch(url, init);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents checked field by field
    const body: any = await response.json();
    return { status: response.status, type: response.headers.get('content-type'), body };
  };

  it('gives each container a URI by its network mode, and both variables', () => {
    const uri = server.uriFor(task, 'app');
    assert.match(uri ?? '', new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/v4/${TASK_ID}-[0-9a-f]{16}/app$`));
    assert.equal(server.uriFor({ ...task, networkMode: 'host' }, 'app'), uri, 'host mode: 127.0.0.1 too');
    assert.equal(server.uriFor({ ...task, networkMode: 'bridge' }, 'app'), undefined, 'no bridge address given');
    assert.deepEqual(server.environmentFor(task, 'app'), {
      ECS_CONTAINER_METADATA_URI_V4: uri,
      ECS_CONTAINER_METADATA_URI: uri!.replace('/v4/', '/v3/'),
    });
    assert.deepEqual(server.environmentFor({ ...task, networkMode: 'bridge' }, 'app'), {});
  });

  it('serves the container and task documents, v4 and v3', async () => {
    const uri = server.uriFor(task, 'app')!;
    const container = await get(uri);
    assert.equal(container.status, 200);
    assert.equal(container.type, 'application/json');
    assert.equal(container.body.DockerId, 'c-app');
    assert.equal(container.body.ContainerARN, undefined);
    const taskDocument = await get(`${uri}/task`);
    assert.equal(taskDocument.body.TaskARN, task.taskArn);
    assert.deepEqual(
      taskDocument.body.Containers.map((c: { Name: string }) => c.Name),
      ['app', 'side_car'],
    );
    assert.deepEqual((await get(`${uri}/taskWithTags`)).body, taskDocument.body);
    const v3 = await get(`${server.uriFor(task, 'app', { version: 3 })}/task`);
    assert.equal(v3.body.LaunchType, undefined);
    assert.equal((await get(`${server.uriFor(task, 'side_car')}/`)).body.Name, 'side_car', 'a trailing slash');
  });

  it('serves stats, with the sandbox’s network counters, for the container and the task', async () => {
    const uri = server.uriFor(task, 'app')!;
    assert.deepEqual((await get(`${uri}/stats`)).body, {
      read: '2020-01-01T00:00:01Z',
      cpu_stats: { online_cpus: 2 },
      networks: { eth0: { rx_bytes: 42 } },
    });
    const all = await get(`${uri}/task/stats`);
    assert.deepEqual(Object.keys(all.body), ['c-app'], 'side_car is not created yet');
    const notYet = await get(`${server.uriFor(task, 'side_car')}/stats`);
    assert.equal(notYet.status, 404);
  });

  it('answers 404 with a JSON string, as the ECS agent does, without asking for a wrong token', async () => {
    const uri = server.uriFor(task, 'app')!;
    asked.length = 0;
    const forged = await get(uri.replace(/-[0-9a-f]{16}\//, '-0123456789abcdef/'));
    assert.equal(forged.status, 404);
    assert.equal(typeof forged.body, 'string');
    assert.deepEqual(asked, [], 'a wrong token is refused before any lookup');
    for (const url of [
      `${uri}/nothing`,
      uri.replace('/app', '/nginx'),
      `http://127.0.0.1:${server.port}/`,
      `http://127.0.0.1:${server.port}/v2/metadata`,
      `${server.uriFor({ ...task, taskArn: task.taskArn.replace(TASK_ID, 'f'.repeat(32)) }, 'app')}`,
    ]) {
      const answer = await get(url);
      assert.equal(answer.status, 404, url);
      assert.equal(answer.type, 'application/json', url);
      assert.equal(typeof answer.body, 'string', url);
    }
    assert.equal((await get(uri, { method: 'POST' })).status, 405);
  });

  it('answers for a task from its registration to its deregistration only', async () => {
    const other = { ...task, taskArn: task.taskArn.replace(TASK_ID, 'e'.repeat(32)) };
    const uri = server.uriFor(other, 'app')!;
    assert.equal((await get(`${uri}/task`)).status, 404, 'not registered yet');
    server.register(other.taskArn, async () => ({ ...snapshot, task: other }));
    assert.equal((await get(`${uri}/task`)).body.TaskARN, other.taskArn);
    assert.equal((await get(uri)).body.Name, 'app');
    server.deregister(other.taskArn);
    assert.equal((await get(`${uri}/task`)).status, 404, 'deregistered');
    assert.equal((await get(`${server.uriFor(task, 'app')}/task`)).status, 200, 'the other task is still served');
  });

  it('asks for the port it had, and takes another when that one is taken', async () => {
    const again = await startMetadataServer({
      addresses: { host: '127.0.0.1' },
      port: server.port,
      secret: 'test secret',
      source: { stats: async () => undefined },
    });
    try {
      assert.notEqual(again.port, server.port);
      assert.ok(again.port > 0);
    } finally {
      await again.close();
    }
    const port = await freePort();
    const fixed = await startMetadataServer({
      addresses: { host: '127.0.0.1' },
      port,
      secret: 'test secret',
      source: { stats: async () => undefined },
    });
    assert.equal(fixed.port, port);
    await fixed.close();
  });

  it('leaves out an address this host does not have', async () => {
    const warnings: object[] = [];
    const partial = await startMetadataServer({
      addresses: { bridge: '203.0.113.77', host: '127.0.0.1' },
      port: 0,
      secret: 'test secret',
      source: { stats: async () => undefined },
      log: { warn: (obj) => warnings.push(obj) },
    });
    try {
      assert.deepEqual(partial.addresses, { host: '127.0.0.1' });
      assert.equal(partial.uriFor({ ...task, networkMode: 'bridge' }, 'app'), undefined);
      assert.deepEqual(warnings, [{ address: '203.0.113.77' }]);
    } finally {
      await partial.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe: Server = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('the task credentials endpoint', () => {
  let server: MetadataServer;
  const document = {
    RoleArn: 'arn:aws:iam::000000000000:role/app',
    AccessKeyId: 'ASIAEXAMPLE000000000',
    SecretAccessKey: 'secret',
    Token: 'token',
    Expiration: '2026-12-03T20:00:00Z',
  };

  before(async () => {
    server = await startMetadataServer({
      addresses: { host: '127.0.0.1' },
      port: 0,
      secret: 'test secret',
      source: { stats: async () => undefined },
    });
  });
  after(() => server.close());

  const get = async (path: string): Promise<[number, unknown]> => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return [response.status, await response.json()];
  };

  it('answers a registered id at /v2/credentials/ID and /v1/credentials?id=ID, as the ECS agent does', async () => {
    const id = server.credentialsIdFor(task.taskArn);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(server.credentialsIdFor(task.taskArn), id);
    assert.notEqual(server.credentialsIdFor(`${task.taskArn}0`), id);
    server.registerCredentials(id, async () => document);
    assert.deepEqual(await get(`/v2/credentials/${id}`), [200, document]);
    assert.deepEqual(await get(`/v1/credentials?id=${id}`), [200, document]);
    server.deregisterCredentials(id);
    assert.deepEqual(await get(`/v2/credentials/${id}`), [
      400,
      { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' },
    ]);
  });

  it('refuses a request without an id, and answers 500 when no session can be had', async () => {
    assert.deepEqual(await get('/v1/credentials'), [
      400,
      { code: 'NoIdInRequest', message: 'CredentialsV1Request: No Credential ID in the request' },
    ]);
    server.registerCredentials('broken', () => Promise.reject(new Error('server unreachable')));
    assert.deepEqual(await get('/v2/credentials/broken'), [
      500,
      { code: 'InternalServerError', message: 'Internal server error' },
    ]);
  });
});
