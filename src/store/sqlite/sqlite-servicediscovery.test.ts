import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  CloudMapInstanceRecord,
  CloudMapNamespaceRecord,
  CloudMapOperationRecord,
  CloudMapServiceRecord,
} from '../servicediscovery-repository.ts';
import { SqliteStore } from './sqlite-store.ts';

const ACCOUNT = 'arn:aws:servicediscovery:us-east-1:000000000000';

function namespace(id: string, name: string): CloudMapNamespaceRecord {
  return {
    id,
    arn: `${ACCOUNT}:namespace/${id}`,
    name,
    nameKey: name.toLowerCase(),
    type: 'DNS_PRIVATE',
    createdAt: new Date(1000),
    details: { tags: [], soaTtl: 15 },
  };
}

function service(id: string, namespaceId: string, name: string): CloudMapServiceRecord {
  return {
    id,
    arn: `${ACCOUNT}:service/${id}`,
    namespaceId,
    name,
    nameKey: name.toLowerCase(),
    createdAt: new Date(2000),
    details: { type: 'DNS_HTTP', customHealth: false, tags: [], dnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } },
  };
}

function instance(serviceId: string, id: string, ip: string): CloudMapInstanceRecord {
  return {
    serviceId,
    id,
    attributes: { AWS_INSTANCE_IPV4: ip },
    health: 'UNKNOWN',
    createdAt: new Date(3000),
    updatedAt: new Date(3000),
  };
}

function operation(id: string, at: number, requestKey?: string): CloudMapOperationRecord {
  return {
    id,
    type: 'CREATE_NAMESPACE',
    status: 'SUCCESS',
    createdAt: new Date(at),
    updatedAt: new Date(at),
    targets: { NAMESPACE: 'ns-a' },
    namespaceId: 'ns-a',
    ...(requestKey ? { requestKey } : {}),
  };
}

describe('SqliteServiceDiscovery', () => {
  it('writes namespaces, services and instances against the revisions read, counting what each holds', async () => {
    const store = await SqliteStore.open(':memory:');
    try {
      const repo = store.serviceDiscovery;
      const before = await repo.revision();
      const created = namespace('ns-a', 'Local');
      assert.equal(await repo.write({ namespaces: [{ id: 'ns-a', expectRevision: undefined, next: created }] }), true);
      assert.equal(await repo.revision(), before + 1);
      // The name is taken, whatever its case: a second namespace of it is refused, nothing written.
      assert.equal(
        await repo.write({ namespaces: [{ id: 'ns-b', expectRevision: undefined, next: namespace('ns-b', 'local') }] }),
        false,
      );
      assert.equal(await repo.revision(), before + 1);
      assert.equal((await repo.namespaceByName('local'))?.id, 'ns-a');
      // A service goes with a write of its namespace (revision 1 → 2).
      assert.equal(
        await repo.write({
          namespaces: [{ id: 'ns-a', expectRevision: 1, next: created }],
          services: [{ id: 'srv-a', expectRevision: undefined, next: service('srv-a', 'ns-a', 'api') }],
        }),
        true,
      );
      // Planned from revision 1, which is gone: refused, and the service it carried is not written.
      assert.equal(
        await repo.write({
          namespaces: [{ id: 'ns-a', expectRevision: 1, next: created }],
          services: [{ id: 'srv-b', expectRevision: undefined, next: service('srv-b', 'ns-a', 'web') }],
        }),
        false,
      );
      assert.equal(await repo.service('srv-b'), undefined);
      const ns = await repo.namespace('ns-a');
      assert.deepEqual([ns?.revision, ns?.serviceCount], [2, 1]);
      assert.equal(
        await repo.write({
          services: [{ id: 'srv-a', expectRevision: 1, next: service('srv-a', 'ns-a', 'api') }],
          instances: [
            { serviceId: 'srv-a', id: 'i-2', next: instance('srv-a', 'i-2', '10.0.0.2') },
            { serviceId: 'srv-a', id: 'i-1', next: instance('srv-a', 'i-1', '10.0.0.1') },
          ],
        }),
        true,
      );
      const srv = await repo.serviceByName('ns-a', 'api');
      assert.deepEqual([srv?.revision, srv?.instanceCount], [2, 2]);
      assert.deepEqual(
        (await repo.instances('srv-a')).map((i) => [i.id, i.attributes.AWS_INSTANCE_IPV4]),
        [
          ['i-1', '10.0.0.1'],
          ['i-2', '10.0.0.2'],
        ],
      );
      assert.equal((await repo.instance('srv-a', 'i-1'))?.health, 'UNKNOWN');
      // Deleting the service takes its instances; the namespace then has none and may go.
      assert.equal(
        await repo.write({
          namespaces: [{ id: 'ns-a', expectRevision: 2, next: created }],
          services: [{ id: 'srv-a', expectRevision: 2 }],
        }),
        true,
      );
      assert.deepEqual(await repo.instances(['srv-a']), []);
      assert.equal(await repo.write({ namespaces: [{ id: 'ns-a', expectRevision: 3 }] }), true);
      assert.deepEqual(await repo.namespaces(), []);
    } finally {
      await store.close();
    }
  });

  it('keeps operations, finds one by its request, pages them in time order and prunes the old ones', async () => {
    const store = await SqliteStore.open(':memory:');
    try {
      const repo = store.serviceDiscovery;
      await repo.write({ operations: [operation('op-b', 2000), operation('op-a', 2000, 'CREATE_NAMESPACE:r1')] });
      await repo.write({ operations: [operation('op-c', 1000)] });
      assert.equal((await repo.operationByRequest('CREATE_NAMESPACE:r1'))?.id, 'op-a');
      // A request key is one operation's only: a second one with it is refused.
      assert.equal(await repo.write({ operations: [operation('op-d', 3000, 'CREATE_NAMESPACE:r1')] }), false);
      assert.deepEqual(
        (await repo.operations({ limit: 10 })).map((o) => o.id),
        ['op-c', 'op-a', 'op-b'],
      );
      assert.deepEqual(
        (await repo.operations({ after: { createdAt: new Date(2000), id: 'op-a' }, limit: 10 })).map((o) => o.id),
        ['op-b'],
      );
      assert.deepEqual((await repo.operation('op-b'))?.targets, { NAMESPACE: 'ns-a' });
      await repo.write({ operations: [operation('op-e', 5000)], pruneOperationsBefore: new Date(1500) });
      assert.equal(await repo.operation('op-c'), undefined);
      assert.deepEqual(
        (await repo.operations({ limit: 10 })).map((o) => o.id),
        ['op-a', 'op-b', 'op-e'],
      );
    } finally {
      await store.close();
    }
  });
});
