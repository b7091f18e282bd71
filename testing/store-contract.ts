import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClusterRecord, MetadataStore } from '../src/store/index.ts';
import { describeLogRepository } from './log-store-contract.ts';
import { describeRegistrySettings } from './registry-settings-contract.ts';

/** The behaviour every MetadataStore backend must have. Run it once per backend. */
export function runStoreContract(backend: string, open: () => Promise<MetadataStore>): void {
  describe(`MetadataStore contract: ${backend}`, () => {
    let store: MetadataStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    const cluster = (name: string, details: Record<string, unknown> = {}): ClusterRecord => ({
      name,
      arn: `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`,
      status: 'ACTIVE',
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
      details,
    });

    it('answers ping once open and migrated', async () => {
      await store.ping();
    });

    it('inserts a cluster once and returns the stored one afterwards', async () => {
      const first = await store.clusters.insertIfAbsent(cluster('alpha', { tags: [{ key: 'k', value: 'v' }] }));
      assert.equal(first.created, true);
      const second = await store.clusters.insertIfAbsent(cluster('alpha', { tags: [] }));
      assert.equal(second.created, false);
      assert.deepEqual(second.record, cluster('alpha', { tags: [{ key: 'k', value: 'v' }] }));
    });

    it('gets clusters by name, ignoring unknown names', async () => {
      await store.clusters.insertIfAbsent(cluster('beta'));
      const found = await store.clusters.getByNames(['beta', 'nope']);
      assert.deepEqual(
        found.map((c) => c.name),
        ['beta'],
      );
      assert.deepEqual(await store.clusters.getByNames([]), []);
    });

    it('lists clusters in name order, page by page', async () => {
      for (const name of ['c3', 'c1', 'c2']) await store.clusters.insertIfAbsent(cluster(name));
      const all = (await store.clusters.list({ limit: 100 })).map((c) => c.name);
      assert.deepEqual(all, ['alpha', 'beta', 'c1', 'c2', 'c3']);
      const page = (await store.clusters.list({ after: 'beta', limit: 2 })).map((c) => c.name);
      assert.deepEqual(page, ['c1', 'c2']);
    });

    it('replaces a service only if it is still the one read (compare-and-set)', async () => {
      const record = {
        cluster: 'c',
        name: 'web',
        arn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
        status: 'ACTIVE',
        createdAt: new Date(0),
        body: { desiredCount: 1 },
      };
      assert.equal(await store.services.insert(record), true);
      const scaled = { ...record, body: { desiredCount: 3 } };
      assert.equal(await store.services.replace(record, scaled), true);
      // A writer that read the service before the change loses, and changes nothing.
      assert.equal(await store.services.replace(record, { ...record, body: { desiredCount: 2 } }), false);
      assert.deepEqual((await store.services.get('c', ['web']))[0]?.body, { desiredCount: 3 });
      await store.services.update({ ...scaled, status: 'DRAINING' });
      assert.equal((await store.services.get('c', ['web']))[0]?.status, 'DRAINING');
    });

    it('writes ELB resources in one transaction: puts replace, removes delete, a taken name fails it all', async () => {
      const record = (arn: string, kind: 'load-balancer' | 'listener', name?: string) => ({
        arn,
        kind,
        name,
        parentArn: kind === 'listener' ? 'lb1' : undefined,
        createdAt: new Date('2026-01-02T03:04:05.678Z'),
        body: { arn },
        tags: [{ Key: 'k', Value: 'v' }],
      });
      await store.elb.write({ put: [record('lb1', 'load-balancer', 'web'), record('l1', 'listener')] });
      await store.elb.write({ put: [{ ...record('l1', 'listener'), body: { port: 80 } }] });
      assert.deepEqual(
        (await store.elb.get(['l1', 'nope'])).map((r) => r.body),
        [{ port: 80 }],
      );
      await assert.rejects(store.elb.write({ put: [record('l2', 'listener'), record('lb2', 'load-balancer', 'web')] }));
      assert.deepEqual(
        (await store.elb.list()).map((r) => r.arn),
        ['l1', 'lb1'],
      );
      await store.elb.write({ remove: ['lb1', 'l1'] });
      assert.deepEqual(await store.elb.list('listener'), []);
    });

    it('finds registered container instances by EC2 instance id, in any cluster', async () => {
      const instance = (id: string, cluster: string, status: string) => ({
        id,
        cluster,
        arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/${cluster}/${id}`,
        status,
        registeredAt: new Date('2026-01-02T03:04:05.678Z'),
        body: { ec2InstanceId: `i-${id}` },
      });
      await store.containerInstances.put(instance('a1', 'one', 'ACTIVE'));
      await store.containerInstances.put(instance('b2', 'two', 'DRAINING'));
      await store.containerInstances.put(instance('c3', 'two', 'INACTIVE'));
      const found = await store.containerInstances.byEc2InstanceIds(['i-a1', 'i-b2', 'i-c3', 'i-none']);
      assert.deepEqual(found.map((r) => r.id).sort(), ['a1', 'b2']);
      assert.deepEqual(await store.containerInstances.byEc2InstanceIds([]), []);
    });

    it('keeps S3 buckets and objects: replace returns the old digest, a bucket with objects is not deleted', async () => {
      const at = new Date('2026-01-02T03:04:05.678Z');
      assert.equal(await store.s3.createBucket({ name: 'b', region: 'us-east-1', createdAt: at }), true);
      assert.equal(await store.s3.createBucket({ name: 'b', region: 'us-east-1', createdAt: at }), false);
      const object = (key: string, digest: string) => ({
        bucket: 'b',
        key,
        digest,
        size: 1,
        etag: 'e',
        contentType: 'text/plain',
        lastModified: at,
        headers: { 'x-amz-meta-a': '1' },
      });
      assert.equal(await store.s3.putObject(object('k', 'sha256:1')), undefined);
      assert.equal(await store.s3.putObject(object('k', 'sha256:2')), 'sha256:1');
      assert.deepEqual(await store.s3.getObject('b', 'k'), object('k', 'sha256:2'));
      assert.equal(await store.s3.isDigestReferenced('sha256:1'), false);
      assert.equal(await store.s3.isDigestReferenced('sha256:2'), true);
      for (const key of ['a/1', 'a/2', 'ab', 'b']) await store.s3.putObject(object(key, 'sha256:3'));
      const keys = async (prefix: string, after?: string) =>
        (await store.s3.listObjects('b', { prefix, after, limit: 10 })).map((o) => o.key);
      assert.deepEqual(await keys(''), ['a/1', 'a/2', 'ab', 'b', 'k']);
      assert.deepEqual(await keys('a'), ['a/1', 'a/2', 'ab']);
      assert.deepEqual(await keys('a', 'a/1'), ['a/2', 'ab']);
      assert.equal(await store.s3.deleteBucket('b'), 'not-empty');
      for (const key of ['a/1', 'a/2', 'ab', 'b', 'k']) await store.s3.deleteObject('b', key);
      assert.equal(await store.s3.deleteObject('b', 'k'), undefined);
      assert.equal(await store.s3.deleteBucket('b'), 'deleted');
      assert.equal(await store.s3.deleteBucket('b'), 'not-found');
      assert.deepEqual(await store.s3.listBuckets(), []);
    });

    describeLogRepository(() => store);
    describeRegistrySettings(() => store);
  });
}
