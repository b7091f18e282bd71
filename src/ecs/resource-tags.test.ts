import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { ecrResourceTags } from '../ecr/resource-tags.ts';
import { logsResourceTags } from '../logs/resource-tags.ts';
import { ecsResourceTags } from './resource-tags.ts';

const ecs = 'arn:aws:ecs:us-east-1:000000000000';

test('ECS, ECR and Logs resource tags come from the store; unknown resources and other services: undefined', async () => {
  const store = await SqliteStore.open(':memory:');
  try {
    await store.clusters.insertIfAbsent({
      name: 'web',
      arn: `${ecs}:cluster/web`,
      status: 'ACTIVE',
      createdAt: new Date(0),
      details: { tags: [{ key: 'env', value: 'prod' }] },
    });
    await store.repositories.insertIfAbsent({
      name: 'app',
      arn: 'arn:aws:ecr:us-east-1:000000000000:repository/app',
      createdAt: new Date(0),
      details: { tags: [{ Key: 'team', Value: 'a' }] },
    });
    await store.logs.createGroup({
      name: '/ecs/web',
      createdAt: new Date(0),
      retentionInDays: undefined,
      logGroupClass: 'STANDARD',
      storedBytes: 0,
      tags: { owner: 'ops' },
      details: {},
    });
    const ecsTags = ecsResourceTags(store);
    assert.deepEqual(await ecsTags(`${ecs}:cluster/web`), { env: 'prod' });
    assert.equal(await ecsTags(`${ecs}:cluster/other`), undefined);
    assert.equal(await ecsTags(`${ecs}:task-definition/app:1`), undefined);
    assert.equal(await ecsTags('arn:aws:ecr:us-east-1:000000000000:repository/app'), undefined);
    assert.deepEqual(await ecrResourceTags(store)('arn:aws:ecr:us-east-1:000000000000:repository/app'), { team: 'a' });
    const logsTags = logsResourceTags(store);
    const group = 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web';
    assert.deepEqual(await logsTags(group), { owner: 'ops' });
    assert.deepEqual(await logsTags(`${group}:*`), { owner: 'ops' });
    assert.deepEqual(await logsTags(`${group}:log-stream:s1`), { owner: 'ops' });
  } finally {
    await store.close();
  }
});
