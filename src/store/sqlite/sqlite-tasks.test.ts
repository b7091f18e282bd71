import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store.ts';
import { SqliteStore } from './sqlite-store.ts';

function aTask(id: string, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    cluster: 'c',
    arn: `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`,
    family: 'web',
    containerInstance: 'i1',
    launchType: 'EC2',
    startedBy: 'ecs-svc/1',
    group: 'service:web',
    serviceName: 'web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date(Number.parseInt(id, 16)),
    reservation: { cpu: 256, memory: 256, gpus: 0, tcpPorts: [], udpPorts: [] },
    body: {
      healthStatus: 'HEALTHY',
      startedAt: 1000,
      containers: [{ name: 'app', healthStatus: 'HEALTHY' }, { name: 'sidecar' }],
      overrides: { containerOverrides: [] },
    },
    ...over,
  };
}

describe('SqliteTasks: what the service scheduler and DescribeServices read', () => {
  it("reads one service's task statuses, and a cluster's service tasks with the fields the scheduler uses", async () => {
    const store = await SqliteStore.open(':memory:');
    await store.tasks.insert([
      aTask('01'),
      aTask('02', { serviceName: 'api', group: 'service:api' }),
      aTask('03', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
      aTask('04', { serviceName: undefined, startedBy: undefined, group: 'family:web', body: {} }),
      aTask('05', { lastStatus: 'PENDING', body: { containers: [{ name: 'app' }] } }),
    ]);
    const statuses = await store.tasks.serviceStatuses('c', 'web');
    assert.deepEqual(
      statuses.sort((a, b) => a.lastStatus.localeCompare(b.lastStatus)),
      [
        { startedBy: 'ecs-svc/1', desiredStatus: 'RUNNING', lastStatus: 'PENDING' },
        { startedBy: 'ecs-svc/1', desiredStatus: 'RUNNING', lastStatus: 'RUNNING' },
      ],
    );
    const scheduled = await store.tasks.serviceTasks('c');
    assert.deepEqual(
      scheduled.map((t) => [t.id, t.serviceName]),
      [
        ['01', 'web'],
        ['02', 'api'],
        ['05', 'web'],
      ],
    );
    // Only the scheduler's fields; a container without a health status has none.
    assert.deepEqual(scheduled[0]!.body, {
      healthStatus: 'HEALTHY',
      startedAt: 1000,
      containers: [{ healthStatus: 'HEALTHY' }, {}],
    });
    assert.deepEqual(scheduled[2]!.body, { containers: [{}] });
    assert.deepEqual(scheduled[0]!.reservation, aTask('01').reservation);
    await store.close();
  });

  it('commits updates made together in one go, each caller answered after the commit', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.tasks.insert([aTask('01'), aTask('02')]);
    await Promise.all([
      store.tasks.update(aTask('01', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' })),
      store.tasks.update(aTask('02', { lastStatus: 'PENDING' })),
    ]);
    const [one, two] = await store.tasks.get('c', ['01', '02']);
    assert.equal(one!.lastStatus, 'STOPPED');
    assert.equal(two!.lastStatus, 'PENDING');
    // A failing write fails alone: the duplicate insert is refused, the update beside it lands.
    const results = await Promise.allSettled([
      store.tasks.insert([aTask('01')]),
      store.tasks.update(aTask('02', { lastStatus: 'RUNNING' })),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'fulfilled'],
    );
    assert.equal((await store.tasks.get('c', ['02']))[0]!.lastStatus, 'RUNNING');
    await store.close();
  });
});

describe('SqliteContainerInstances: kept lists', () => {
  it('answers a list again from memory, frozen, until the next write', async () => {
    const store = await SqliteStore.open(':memory:');
    const instance = {
      id: 'i1',
      cluster: 'c',
      arn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/i1',
      status: 'ACTIVE',
      registeredAt: new Date(0),
      body: { attributes: [{ name: 'a', value: '1' }] },
    };
    await store.containerInstances.put(instance);
    const [first] = await store.containerInstances.list('c', { limit: 10 });
    assert.throws(() => ((first!.body.attributes as { value: string }[])[0]!.value = '2'), TypeError);
    await store.containerInstances.put({ ...instance, body: { attributes: [{ name: 'a', value: '3' }] } });
    const [second] = await store.containerInstances.list('c', { limit: 10 });
    assert.deepEqual(second!.body, { attributes: [{ name: 'a', value: '3' }] });
    await store.close();
  });
});

describe('SqliteServices: replace', () => {
  it('replaces a service only if nobody changed it since it was read', async () => {
    const store = await SqliteStore.open(':memory:');
    const read = {
      cluster: 'c',
      name: 'web',
      arn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
      status: 'ACTIVE',
      createdAt: new Date(0),
      body: { desiredCount: 1, events: [{ message: 'a' }] },
    };
    assert.ok(await store.services.insert(read));
    const [stored] = await store.services.get('c', ['web']);
    assert.equal(await store.services.replace(stored!, { ...stored!, body: { desiredCount: 2, events: [] } }), true);
    // `stored` is stale now: an UpdateService in between is not overwritten, even when the caller
    // changed the body it read in place.
    (stored!.body as { desiredCount: number }).desiredCount = 2;
    assert.equal(await store.services.replace(stored!, { ...stored!, body: { desiredCount: 3, events: [] } }), false);
    assert.equal((await store.services.get('c', ['web']))[0]!.body.desiredCount, 2);
    // A record read and then changed in place is still compared with what was read.
    const [again] = await store.services.get('c', ['web']);
    (again!.body as { desiredCount: number }).desiredCount = 9;
    assert.equal(await store.services.replace(again!, { ...again!, body: { desiredCount: 4 } }), true);
    await store.close();
  });
});
