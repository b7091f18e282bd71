import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SsmParameterVersionRecord } from '../ssm-repository.ts';
import { SqliteStore } from './sqlite-store.ts';

function version(n: number, labels: string[] = []): SsmParameterVersionRecord {
  return {
    version: n,
    value: `v${n}`,
    labels,
    modifiedAt: new Date(1000 * n),
    details: { type: 'String', tier: 'Standard', dataType: 'text', lastModifiedUser: 'arn:aws:iam::000000000000:root' },
  };
}

describe('SqliteSsm', () => {
  it('writes versions against the revision read, lists by prefix and deletes with the history', async () => {
    const store = await SqliteStore.open(':memory:');
    try {
      const ssm = store.ssm;
      assert.equal(
        await ssm.write([
          { name: '/a/x', expectRevision: undefined, next: { version: 1, tags: [] }, putVersions: [version(1)] },
        ]),
        true,
      );
      // A second create of the same name expected no parameter: refused, nothing written.
      assert.equal(
        await ssm.write([
          { name: '/a/x', expectRevision: undefined, next: { version: 1, tags: [] }, putVersions: [version(1)] },
        ]),
        false,
      );
      const first = await ssm.get('/a/x');
      assert.equal(first?.revision, 1);
      const next = { version: 2, tags: [{ Key: 'k', Value: 'v' }] };
      assert.equal(
        await ssm.write([
          { name: '/a/x', expectRevision: 1, next, putVersions: [version(2, ['prod'])], dropVersions: [1] },
        ]),
        true,
      );
      assert.equal(await ssm.write([{ name: '/a/x', expectRevision: 1, next, putVersions: [version(3)] }]), false);
      const second = await ssm.get('/a/x');
      assert.deepEqual([second?.current.version, second?.current.labels, second?.tags], [2, ['prod'], next.tags]);
      assert.deepEqual(
        (await ssm.history('/a/x')).map((v) => v.version),
        [2],
      );
      await ssm.write([
        { name: '/a/y/z', expectRevision: undefined, next: { version: 1, tags: [] }, putVersions: [version(1)] },
      ]);
      await ssm.write([
        { name: '/ab', expectRevision: undefined, next: { version: 1, tags: [] }, putVersions: [version(1)] },
      ]);
      // "/a/" is the prefix: "/ab" is not under it.
      assert.deepEqual(
        (await ssm.list({ prefix: '/a/', limit: 10 })).map((p) => p.name),
        ['/a/x', '/a/y/z'],
      );
      assert.deepEqual(
        (await ssm.list({ after: '/a/x', limit: 1 })).map((p) => p.name),
        ['/a/y/z'],
      );
      // A batch is all or nothing: the stale second change undoes the first.
      assert.equal(
        await ssm.write([
          { name: '/ab', expectRevision: 1 },
          { name: '/a/x', expectRevision: 1 },
        ]),
        false,
      );
      assert.ok(await ssm.get('/ab'));
      assert.equal(
        await ssm.write([
          { name: '/ab', expectRevision: 1 },
          { name: '/a/x', expectRevision: 2 },
        ]),
        true,
      );
      assert.deepEqual(
        (await ssm.getMany(['/ab', '/a/x', '/a/y/z'])).map((p) => p.name),
        ['/a/y/z'],
      );
      assert.deepEqual(await ssm.history('/a/x'), []);
    } finally {
      await store.close();
    }
  });
});
