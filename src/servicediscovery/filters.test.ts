import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudMapOperationRecord, StoredNamespace, StoredService } from '../store/index.ts';
import { namespaceFilter, operationFilter, serviceFilter } from './filters.ts';
import { pageByKey } from './page-tokens.ts';

const scope = { region: 'us-east-1', accountId: '000000000000' };

function namespace(id: string, name: string, type: StoredNamespace['type']): StoredNamespace {
  return {
    id,
    arn: `arn:aws:servicediscovery:us-east-1:000000000000:namespace/${id}`,
    name,
    nameKey: name.toLowerCase(),
    type,
    createdAt: new Date(0),
    details: { tags: [] },
    revision: 1,
    serviceCount: 0,
  };
}

const namespaces = [
  namespace('ns-1', 'local', 'DNS_PRIVATE'),
  namespace('ns-2', 'Example.com', 'DNS_PUBLIC'),
  namespace('ns-3', 'apis', 'HTTP'),
];

function operation(id: string, more: Partial<CloudMapOperationRecord>): CloudMapOperationRecord {
  return {
    id,
    type: 'REGISTER_INSTANCE',
    status: 'SUCCESS',
    createdAt: new Date(1000),
    updatedAt: new Date(1000),
    targets: {},
    ...more,
  };
}

describe('list filters', () => {
  it('filters namespaces by type, name and owner, every filter at once', () => {
    const names = (filters: Parameters<typeof namespaceFilter>[0]) =>
      namespaces.filter(namespaceFilter(filters)).map((n) => n.id);
    assert.deepEqual(names([{ Name: 'TYPE', Values: ['HTTP'] }]), ['ns-3']);
    assert.deepEqual(names([{ Name: 'TYPE', Values: ['HTTP', 'DNS_PUBLIC'], Condition: 'IN' }]), ['ns-2', 'ns-3']);
    // Names compare as DNS names: without case.
    assert.deepEqual(names([{ Name: 'NAME', Values: ['EXAMPLE.COM'] }]), ['ns-2']);
    assert.deepEqual(names([{ Name: 'HTTP_NAME', Values: ['ap'], Condition: 'BEGINS_WITH' }]), ['ns-3']);
    assert.deepEqual(
      names([
        { Name: 'TYPE', Values: ['DNS_PRIVATE', 'HTTP'], Condition: 'IN' },
        { Name: 'NAME', Values: ['l'], Condition: 'BEGINS_WITH' },
      ]),
      ['ns-1'],
    );
    assert.deepEqual(names([{ Name: 'RESOURCE_OWNER', Values: ['OTHER_ACCOUNTS'] }]), []);
    assert.deepEqual(names([{ Name: 'RESOURCE_OWNER', Values: ['SELF'] }]).length, 3);
  });

  it('refuses conditions a filter does not take and the wrong number of values', () => {
    const refused: [Parameters<typeof namespaceFilter>[0], RegExp][] = [
      [[{ Name: 'TYPE', Values: ['HTTP'], Condition: 'BEGINS_WITH' }], /takes the condition EQ or IN, not BEGINS_WITH/],
      [[{ Name: 'TYPE', Values: ['HTTP', 'DNS_PUBLIC'] }], /EQ takes exactly one value/],
      [[{ Name: 'NAME', Values: ['a'], Condition: 'IN' }], /EQ or BEGINS_WITH, not IN/],
      [[{ Name: 'RESOURCE_OWNER', Values: ['ME'] }], /SELF or OTHER_ACCOUNTS/],
    ];
    for (const [filters, message] of refused) {
      assert.throws(() => namespaceFilter(filters), { code: 'InvalidInput', message });
    }
  });

  it('filters services by namespace id or ARN', () => {
    const services = [
      { id: 'srv-1', namespaceId: 'ns-1' },
      { id: 'srv-2', namespaceId: 'ns-2' },
    ] as StoredService[];
    const arn = 'arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-2';
    assert.deepEqual(
      services.filter(serviceFilter([{ Name: 'NAMESPACE_ID', Values: [arn] }], scope)).map((s) => s.id),
      ['srv-2'],
    );
    assert.deepEqual(
      services.filter(serviceFilter([{ Name: 'NAMESPACE_ID', Values: ['ns-1', 'ns-2'], Condition: 'IN' }], scope))
        .length,
      2,
    );
  });

  it('filters operations by namespace, service, status, type and update date', () => {
    const operations = [
      operation('a', { namespaceId: 'ns-1', type: 'CREATE_NAMESPACE', updatedAt: new Date(1_000) }),
      operation('b', { namespaceId: 'ns-1', serviceId: 'srv-1', updatedAt: new Date(5_000) }),
      operation('c', { namespaceId: 'ns-2', serviceId: 'srv-2', status: 'FAIL', updatedAt: new Date(9_000) }),
    ];
    const ids = (filters: Parameters<typeof operationFilter>[0]) =>
      operations.filter(operationFilter(filters, scope)).map((o) => o.id);
    assert.deepEqual(ids([{ Name: 'NAMESPACE_ID', Values: ['ns-1'] }]), ['a', 'b']);
    assert.deepEqual(ids([{ Name: 'SERVICE_ID', Values: ['srv-2'] }]), ['c']);
    // The reference's filter description spells it SUCCEED.
    assert.deepEqual(ids([{ Name: 'STATUS', Values: ['SUCCEED'] }]), ['a', 'b']);
    assert.deepEqual(ids([{ Name: 'TYPE', Values: ['CREATE_NAMESPACE', 'DELETE_NAMESPACE'], Condition: 'IN' }]), ['a']);
    // 2 s ≤ updated ≤ 9 s: b (5 s) and c (9 s).
    assert.deepEqual(ids([{ Name: 'UPDATE_DATE', Values: ['2', '9'], Condition: 'BETWEEN' }]), ['b', 'c']);
    assert.throws(() => operationFilter([{ Name: 'UPDATE_DATE', Values: ['2'], Condition: 'BETWEEN' }], scope), {
      message: /a start and an end/,
    });
    assert.throws(() => operationFilter([{ Name: 'UPDATE_DATE', Values: ['2', '3'] }], scope), {
      message: /BETWEEN, not EQ/,
    });
    assert.throws(() => operationFilter([{ Name: 'STATUS', Values: ['DONE'] }], scope), {
      message: /DONE is not an operation status/,
    });
  });

  it('pages by key with NextToken, and refuses a token it did not make', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const first = pageByKey(items, (x) => x, { MaxResults: 2 });
    assert.deepEqual(first.items, ['a', 'b']);
    const second = pageByKey(items, (x) => x, { MaxResults: 2, NextToken: first.NextToken! });
    assert.deepEqual(second.items, ['c', 'd']);
    const last = pageByKey(items, (x) => x, { MaxResults: 2, NextToken: second.NextToken! });
    assert.deepEqual([last.items, last.NextToken], [['e'], undefined]);
    assert.throws(() => pageByKey(items, (x) => x, { NextToken: 'not-a-token' }), { code: 'InvalidInput' });
  });
});
