import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { serviceDiscoveryOperations } from './operations.ts';
import type { ServiceDiscoveryApi } from './shapes.generated.ts';

const context = {
  requestId: 'r',
  accountId: '000000000000',
  region: 'us-east-1',
  accessKeyId: 'AKIA',
  principal: { arn: 'arn:aws:iam::000000000000:root' },
} as unknown as RequestContext;

describe('Cloud Map namespaces, services and operations', () => {
  let store: SqliteStore;
  let api: Required<ServiceDiscoveryApi>;
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  const targetOf = async (operationId: string) =>
    (await api.GetOperation({ OperationId: operationId }, context)).Operation!;

  before(async () => {
    store = await SqliteStore.open(':memory:');
    const scope = { region: 'us-east-1', accountId: '000000000000' };
    api = serviceDiscoveryOperations({ store, clock, scope }) as Required<ServiceDiscoveryApi>;
  });
  after(() => store.close());

  it('gives a retry with the same CreatorRequestId its operation again, and another request DuplicateRequest', async () => {
    const first = await api.CreateHttpNamespace({ Name: 'orders', CreatorRequestId: 'req-1' }, context);
    const again = await api.CreateHttpNamespace({ Name: 'orders', CreatorRequestId: 'req-1' }, context);
    assert.equal(again.OperationId, first.OperationId);
    await assert.rejects(api.CreateHttpNamespace({ Name: 'billing', CreatorRequestId: 'req-1' }, context), {
      code: 'DuplicateRequest',
      message: new RegExp(first.OperationId!),
    });
    await assert.rejects(api.CreateHttpNamespace({ Name: 'orders', CreatorRequestId: 'req-2' }, context), {
      code: 'NamespaceAlreadyExists',
      message: /CreatorRequestId req-1/,
    });
    const operation = await targetOf(first.OperationId!);
    assert.equal(operation.CreateDate?.toISOString(), '2026-05-01T00:00:00.000Z');
    const { Namespace } = await api.GetNamespace({ Id: operation.Targets!.NAMESPACE! }, context);
    assert.deepEqual(Namespace?.Properties, { DnsProperties: {}, HttpProperties: { HttpName: 'orders' } });
    assert.equal(Namespace?.CreatorRequestId, 'req-1');
  });

  it('fails a private namespace overlapping another of its VPC as an operation, and allows it in another VPC', async () => {
    await api.CreatePrivateDnsNamespace({ Name: 'corp.internal', Vpc: 'vpc-a' }, context);
    const inner = await targetOf(
      (await api.CreatePrivateDnsNamespace({ Name: 'db.corp.internal', Vpc: 'vpc-a' }, context)).OperationId!,
    );
    assert.deepEqual([inner.Status, inner.ErrorCode], ['FAIL', 'CANNOT_CREATE_HOSTED_ZONE']);
    assert.ok(inner.Targets?.NAMESPACE);
    await assert.rejects(api.GetNamespace({ Id: inner.Targets.NAMESPACE }, context), { code: 'NamespaceNotFound' });
    const elsewhere = await targetOf(
      (await api.CreatePrivateDnsNamespace({ Name: 'db.corp.internal', Vpc: 'vpc-b' }, context)).OperationId!,
    );
    assert.equal(elsewhere.Status, 'SUCCESS');
    await assert.rejects(api.CreatePrivateDnsNamespace({ Name: 'bad..name', Vpc: 'vpc-a' }, context), {
      code: 'InvalidInput',
    });
  });

  it('keeps service names unique without case in DNS namespaces, and with case in HTTP ones', async () => {
    const dns = (await api.ListNamespaces({ Filters: [{ Name: 'NAME', Values: ['corp.internal'] }] }, context))
      .Namespaces![0]!.Id!;
    const http = (await api.ListNamespaces({ Filters: [{ Name: 'TYPE', Values: ['HTTP'] }] }, context)).Namespaces![0]!
      .Id!;
    const records = { DnsRecords: [{ Type: 'A' as const, TTL: 10 }] };
    await api.CreateService({ Name: 'Web', NamespaceId: dns, DnsConfig: records, CreatorRequestId: 'c1' }, context);
    await assert.rejects(api.CreateService({ Name: 'web', NamespaceId: dns, DnsConfig: records }, context), {
      code: 'ServiceAlreadyExists',
    });
    // The same CreatorRequestId: the retry gets the service it made.
    const retry = await api.CreateService(
      { Name: 'Web', NamespaceId: dns, DnsConfig: records, CreatorRequestId: 'c1' },
      context,
    );
    assert.equal(retry.Service?.Name, 'Web');
    await api.CreateService({ Name: 'Web', NamespaceId: http }, context);
    await api.CreateService({ Name: 'web', NamespaceId: http }, context);
    const listed = await api.ListServices({ Filters: [{ Name: 'NAMESPACE_ID', Values: [http] }] }, context);
    assert.deepEqual(listed.Services!.map((s) => [s.Name, s.Type]).sort(), [
      ['Web', 'HTTP'],
      ['web', 'HTTP'],
    ]);
    await assert.rejects(api.DeleteNamespace({ Id: http }, context), { code: 'ResourceInUse' });
    // The deprecated DnsConfig.NamespaceId names the namespace too, and must agree with NamespaceId.
    await assert.rejects(
      api.CreateService({ Name: 'x', NamespaceId: dns, DnsConfig: { ...records, NamespaceId: http } }, context),
      { code: 'InvalidInput', message: /different namespaces/ },
    );
    const legacy = await api.CreateService({ Name: 'legacy', DnsConfig: { ...records, NamespaceId: dns } }, context);
    assert.equal(legacy.Service?.NamespaceId, dns);
    assert.equal(legacy.Service?.DnsConfig?.NamespaceId, dns);
  });

  it('updates a namespace once per UpdaterRequestId, and lists operations by filter, page by page', async () => {
    const ns = (await api.ListNamespaces({ Filters: [{ Name: 'NAME', Values: ['orders'] }] }, context)).Namespaces![0]!;
    const update = { Id: ns.Arn!, UpdaterRequestId: 'u1', Namespace: { Description: 'Orders' } };
    const first = await api.UpdateHttpNamespace(update, context);
    assert.equal((await api.UpdateHttpNamespace(update, context)).OperationId, first.OperationId);
    await assert.rejects(api.UpdatePrivateDnsNamespace({ Id: ns.Id!, Namespace: { Description: 'x' } }, context), {
      message: /is of type HTTP, not DNS_PRIVATE/,
    });
    assert.equal((await api.GetNamespace({ Id: ns.Id! }, context)).Namespace?.Description, 'Orders');
    const filter = [{ Name: 'NAMESPACE_ID' as const, Values: [ns.Id!] }];
    const all = await api.ListOperations({ Filters: filter }, context);
    assert.equal(all.Operations?.length, 2); // the create and the update
    const page1 = await api.ListOperations({ MaxResults: 1 }, context);
    const page2 = await api.ListOperations({ MaxResults: 1, NextToken: page1.NextToken! }, context);
    assert.equal(page1.Operations?.length, 1);
    assert.notEqual(page2.Operations![0]!.Id, page1.Operations![0]!.Id);
    // Kept 30 days: an operation recorded after that prunes the older ones.
    clock.advance(31 * 24 * 3600 * 1000);
    await api.CreateHttpNamespace({ Name: 'later' }, context);
    assert.equal((await api.ListOperations({}, context)).Operations?.length, 1);
    await assert.rejects(api.GetOperation({ OperationId: first.OperationId! }, context), { code: 'OperationNotFound' });
  });

  it('tags namespaces and services by ARN', async () => {
    const ns = (await api.ListNamespaces({ Filters: [{ Name: 'NAME', Values: ['later'] }] }, context)).Namespaces![0]!;
    await api.TagResource({ ResourceARN: ns.Arn!, Tags: [{ Key: 'team', Value: 'a' }] }, context);
    await api.TagResource({ ResourceARN: ns.Arn!, Tags: [{ Key: 'env', Value: 'dev' }] }, context);
    await api.UntagResource({ ResourceARN: ns.Arn!, TagKeys: ['team'] }, context);
    assert.deepEqual((await api.ListTagsForResource({ ResourceARN: ns.Arn! }, context)).Tags, [
      { Key: 'env', Value: 'dev' },
    ]);
    await assert.rejects(api.ListTagsForResource({ ResourceARN: `${ns.Arn!}x` }, context), {
      code: 'ResourceNotFoundException',
    });
    await assert.rejects(api.TagResource({ ResourceARN: ns.Arn!, Tags: [{ Key: 'aws:x', Value: '' }] }, context), {
      code: 'InvalidInput',
    });
  });
});
