import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { clusterNameOf, createCluster, describeClusters, listClusters, type ClusterDeps } from './clusters.ts';
import { rootPrincipal } from '../shared/principal.ts';

const context: RequestContext = {
  requestId: 'r',
  accountId: '123456789012',
  region: 'eu-west-1',
  accessKeyId: 'AKIA',
  principal: rootPrincipal('123456789012'),
};

describe('clusters', () => {
  let deps: ClusterDeps;
  beforeEach(async () => {
    deps = { store: await SqliteStore.open(':memory:'), clock: new FakeClock() };
  });

  it('creates "default" when no name is given, with AWS defaults', async () => {
    const { cluster } = await createCluster(deps, {}, context);
    assert.equal(cluster?.clusterArn, 'arn:aws:ecs:eu-west-1:123456789012:cluster/default');
    assert.equal(cluster?.status, 'ACTIVE');
    assert.deepEqual(cluster?.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.equal(cluster?.runningTasksCount, 0);
  });

  it('is idempotent on the name: the second call returns the first cluster', async () => {
    await createCluster(deps, { clusterName: 'web', tags: [{ key: 'team', value: 'a' }] }, context);
    const again = await createCluster(deps, { clusterName: 'web', tags: [{ key: 'team', value: 'b' }] }, context);
    assert.deepEqual(again.cluster?.tags, [{ key: 'team', value: 'a' }]);
    assert.deepEqual((await listClusters(deps, {})).clusterArns?.length, 1);
  });

  for (const name of ['has space', 'dots.not.allowed', 'x'.repeat(256), '']) {
    it(`refuses the cluster name ${JSON.stringify(name.slice(0, 20))}`, async () => {
      await assert.rejects(createCluster(deps, { clusterName: name }, context), { code: 'InvalidParameterException' });
    });
  }

  it('lists page by page with nextToken', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await createCluster(deps, { clusterName: name }, context);
    const first = await listClusters(deps, { maxResults: 2 });
    assert.deepEqual(first.clusterArns?.map(clusterNameOf), ['a', 'b']);
    const second = await listClusters(deps, { maxResults: 2, nextToken: first.nextToken });
    assert.deepEqual(second.clusterArns?.map(clusterNameOf), ['c', 'd']);
    const last = await listClusters(deps, { maxResults: 2, nextToken: second.nextToken });
    assert.deepEqual(last.clusterArns?.map(clusterNameOf), ['e']);
    assert.equal(last.nextToken, undefined); // 5 clusters, pages of 2 → 2 + 2 + 1, no fourth page
  });

  it('refuses maxResults outside 1..100 and a forged nextToken', async () => {
    await assert.rejects(listClusters(deps, { maxResults: 0 }), { code: 'InvalidParameterException' });
    await assert.rejects(listClusters(deps, { maxResults: 101 }), { code: 'InvalidParameterException' });
    await assert.rejects(listClusters(deps, { nextToken: 'garbage' }), { code: 'InvalidParameterException' });
  });

  it('describes by name or ARN, and reports unknown clusters as MISSING failures', async () => {
    await createCluster(deps, { clusterName: 'web', tags: [{ key: 'k', value: 'v' }] }, context);
    const out = await describeClusters(
      deps,
      { clusters: ['arn:aws:ecs:eu-west-1:123456789012:cluster/web', 'gone'] },
      context,
    );
    assert.deepEqual(
      out.clusters?.map((c) => c.clusterName),
      ['web'],
    );
    assert.equal(out.clusters?.[0]?.tags, undefined); // tags only with include TAGS
    assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/gone', reason: 'MISSING' }]);
    const withTags = await describeClusters(deps, { clusters: ['web'], include: ['TAGS'] }, context);
    assert.deepEqual(withTags.clusters?.[0]?.tags, [{ key: 'k', value: 'v' }]);
  });

  it('describes "default" when no cluster is named', async () => {
    const out = await describeClusters(deps, {}, context);
    assert.deepEqual(out.failures, [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/default', reason: 'MISSING' }]);
  });
});
