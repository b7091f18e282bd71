import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { postgresTestUrl, PostgresTestSchemas } from '../../../testing/postgres.ts';
import { SecretBox } from '../../shared/secret-box.ts';
import { LeaseLostError, withFence } from '../fencing.ts';
import type { MetadataStore, ServiceRecord } from '../index.ts';
import { SqliteStore } from './sqlite-store.ts';

const service = (body: Record<string, unknown>): ServiceRecord => ({
  cluster: 'c',
  name: 'web',
  arn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
  status: 'ACTIVE',
  createdAt: new Date(0),
  body,
});

async function bodyOf(store: MetadataStore): Promise<unknown> {
  return (await store.services.get('c', ['web']))[0]?.body;
}

describe('SqliteLeases', () => {
  it('always grants (one server per file): a new holder gets a new epoch, and fences out the old one', async () => {
    const store = await SqliteStore.open(':memory:');
    const first = await store.leases.acquire({ name: 'loop:gc', holder: 'run-1', durationMs: 60_000 });
    const second = await store.leases.acquire({ name: 'loop:gc', holder: 'run-2', durationMs: 60_000 });
    assert.deepEqual([first?.epoch, second?.epoch], [1, 2]);
    await store.services.insert(service({ v: 0 }));
    await assert.rejects(
      withFence(first!, () => store.services.update(service({ v: 1 }))),
      LeaseLostError,
    );
    await withFence(second!, () => store.services.update(service({ v: 2 })));
    assert.deepEqual(await bodyOf(store), { v: 2 });
    await store.close();
  });
});

const target = postgresTestUrl();
if ('skip' in target) {
  describe('PostgreSQL leases', () => it.skip(target.skip));
} else {
  const schemas = new PostgresTestSchemas(target.url);

  describe('PostgreSQL leases', () => {
    after(() => schemas.dropAll());

    const twoServers = async () => {
      const schema = schemas.newSchema();
      const secretBox = SecretBox.ephemeral();
      const a = await schemas.open({ schema, secretBox, multiServer: true });
      const b = await schemas.open({ schema, secretBox, multiServer: true });
      return { a, b, close: () => Promise.all([a.close(), b.close()]) };
    };

    it('one holder at a time; taken over once lapsed, with the next epoch', async () => {
      const { a, b, close } = await twoServers();
      const held = await a.leases.acquire({ name: 'cluster:x', holder: 'A', durationMs: 300 });
      assert.equal(held?.epoch, 1);
      assert.equal(await b.leases.acquire({ name: 'cluster:x', holder: 'B', durationMs: 300 }), undefined);
      await new Promise((resolve) => setTimeout(resolve, 400)); // A's lease lapses: 300 ms on the database's clock
      const taken = await b.leases.acquire({ name: 'cluster:x', holder: 'B', durationMs: 300 });
      assert.deepEqual([taken?.holder, taken?.epoch], ['B', 2]);
      assert.equal(await a.leases.renew(held!, 300), undefined, 'the former holder cannot renew');
      const { leases } = await a.leases.list('cluster:');
      assert.deepEqual(
        leases.map((l) => [l.name, l.holder, l.epoch]),
        [['cluster:x', 'B', 2]],
      );
      await close();
    });

    it('of 8 concurrent claims of a free lease, exactly one wins', async () => {
      const { a, b, close } = await twoServers();
      const claims = Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).leases.acquire({ name: 'loop:gc', holder: `h${i}`, durationMs: 10_000 }),
      );
      try {
        const won = (await Promise.all(claims)).filter((l) => l !== undefined);
        assert.equal(won.length, 1);
      } finally {
        await close();
      }
    });

    it("a paused former holder's fenced writes are refused, on either store (group commit and transaction)", async () => {
      const { a, b, close } = await twoServers();
      const old = await a.leases.acquire({ name: 'cluster:c', holder: 'A', durationMs: 200 });
      await a.services.insert(service({ v: 0 }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const next = await b.leases.acquire({ name: 'cluster:c', holder: 'B', durationMs: 10_000 });
      await withFence(next!, () => b.services.update(service({ v: 'B' })));
      await assert.rejects(
        withFence(old!, () => a.services.update(service({ v: 'A' }))),
        LeaseLostError,
      );
      const registered = withFence(old!, () =>
        a.taskDefinitions.registerNext('f', () => assert.fail('the fence is checked first, in the transaction')),
      );
      await assert.rejects(registered, LeaseLostError);
      assert.deepEqual(await bodyOf(a), { v: 'B' });
      await close();
    });

    it("a paused former holder's single-statement writes are refused too, its reads are not", async () => {
      const { a, b, close } = await twoServers();
      try {
        const old = await a.leases.acquire({ name: 'loop:registry maintenance', holder: 'A', durationMs: 200 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const next = await b.leases.acquire({ name: 'loop:registry maintenance', holder: 'B', durationMs: 10_000 });
        await assert.rejects(
          withFence(old!, () => a.registrySettings.put('fenced', 'A')),
          LeaseLostError,
        );
        await assert.rejects(
          withFence(old!, () => a.services.insert(service({ v: 'A' }))),
          LeaseLostError,
        );
        assert.equal(await withFence(old!, () => bodyOf(a)), undefined, 'a read under the lost lease still answers');
        await withFence(next!, () => b.registrySettings.put('fenced', 'B'));
        a.registrySettings.invalidate();
        assert.equal(await a.registrySettings.get('fenced'), 'B');
      } finally {
        await close();
      }
    });

    it('a server without multi-server mode refuses a schema servers with it use', async () => {
      const schema = schemas.newSchema();
      const shared = await schemas.open({ schema, multiServer: true });
      await assert.rejects(schemas.open({ schema }), /without multi-server mode|several need multi-server mode/);
      await shared.close();
    });
  });
}
