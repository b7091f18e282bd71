import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { cloudMapZones, type DnsAnswer } from './dns-records.ts';
import { serviceDiscoveryOperations } from './operations.ts';
import { serviceRegistrations, type ServiceRegistrations } from './registrations.ts';
import type { ServiceDiscoveryApi } from './shapes.generated.ts';

const scope = { region: 'us-east-1', accountId: '000000000000' };
const context = {
  ...scope,
  requestId: 'r',
  accessKeyId: 'AKIA',
  principal: { arn: 'root' },
} as unknown as RequestContext;

const addressesOf = (answer: DnsAnswer | undefined) =>
  answer?.kind === 'answer' ? answer.answers.map((r) => ('address' in r ? r.address : '')).sort() : answer?.kind;

describe("ECS's registrations and the DNS zones, on the store", () => {
  let store: SqliteStore;
  let api: Required<ServiceDiscoveryApi>;
  let registrations: ServiceRegistrations;
  let registryArn: string;

  before(async () => {
    store = await SqliteStore.open(':memory:');
    const deps = { store, clock: new FakeClock(), scope };
    api = serviceDiscoveryOperations(deps) as Required<ServiceDiscoveryApi>;
    registrations = serviceRegistrations(deps);
    const created = await api.CreatePrivateDnsNamespace({ Name: 'local', Vpc: 'vpc-1' }, context);
    const namespaceId = (await api.GetOperation({ OperationId: created.OperationId! }, context)).Operation!.Targets!
      .NAMESPACE!;
    const { Service } = await api.CreateService(
      {
        Name: 'api',
        NamespaceId: namespaceId,
        DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      },
      context,
    );
    registryArn = Service!.Arn!;
  });
  after(() => store.close());

  it('describes the service of a registryArn, and nothing for one that is gone', async () => {
    assert.deepEqual(await registrations.service(registryArn), {
      id: registryArn.split('/')[1],
      namespaceName: 'local',
      dnsRecords: [{ Type: 'A' }],
      routingPolicy: 'MULTIVALUE',
      customHealth: true,
    });
    assert.equal(await registrations.service(`${registryArn}x`), undefined);
    await assert.rejects(registrations.register(`${registryArn}x`, 't', {}), { code: 'ServiceNotFound' });
  });

  it('registers repeatably, records each change as Cloud Map would, and deregisters what is absent quietly', async () => {
    const operations = async () => (await api.ListOperations({}, context)).Operations!.length;
    const before = await operations();
    const attributes = { AWS_INSTANCE_IPV4: '172.17.0.2', ECS_SERVICE_NAME: 'api' };
    await registrations.register(registryArn, 'task-1', attributes);
    await registrations.register(registryArn, 'task-1', attributes);
    assert.equal(await operations(), before + 1, 'the same registration again records nothing');
    await registrations.register(registryArn, 'task-1', { ...attributes, AWS_INSTANCE_IPV4: '172.17.0.3' });
    assert.equal(await operations(), before + 2);
    await assert.rejects(registrations.register(registryArn, 'task-2', { ECS_SERVICE_NAME: 'api' }), {
      code: 'InvalidInput',
      message: /AWS_INSTANCE_IPV4 is required/,
    });
    await registrations.register(registryArn, 'task-2', { AWS_INSTANCE_IPV4: '172.17.0.4' });
    assert.deepEqual(
      (await registrations.instances(registryArn)).map((i) => [i.id, i.attributes.AWS_INSTANCE_IPV4]),
      [
        ['task-1', '172.17.0.3'],
        ['task-2', '172.17.0.4'],
      ],
    );
    await registrations.deregister(registryArn, 'task-9');
    assert.equal(await operations(), before + 3);
  });

  it('answers DNS from the store as soon as a registration or health change commits', async () => {
    const zones = cloudMapZones({ store, revisionCheckMs: 0 });
    assert.deepEqual(addressesOf(await zones.lookup('api.local', 'A')), ['172.17.0.3', '172.17.0.4']);
    assert.equal(await zones.lookup('example.com', 'A'), undefined, 'not in a namespace: forwarded');
    await registrations.setHealth(registryArn, 'task-1', 'UNHEALTHY');
    assert.deepEqual(addressesOf(await zones.lookup('api.local', 'A')), ['172.17.0.4']);
    const revision = (await api.DiscoverInstancesRevision({ NamespaceName: 'local', ServiceName: 'api' }, context))
      .InstancesRevision!;
    await registrations.deregister(registryArn, 'task-2');
    assert.ok(
      (await api.DiscoverInstancesRevision({ NamespaceName: 'local', ServiceName: 'api' }, context))
        .InstancesRevision! > revision,
    );
    // Only the unhealthy one is left: Route 53 answers it rather than nothing.
    assert.deepEqual(addressesOf(await zones.lookup('api.local', 'A')), ['172.17.0.3']);
    await registrations.deregister(registryArn, 'task-1');
    assert.equal(addressesOf(await zones.lookup('api.local', 'A')), 'nxdomain');
    // By default a change shows within REVISION_CHECK_MS, and queries meanwhile read no revision.
    let reads = 0;
    const repository = store.serviceDiscovery;
    const serviceDiscovery = {
      namespaces: () => repository.namespaces(),
      services: () => repository.services(),
      instances: (ids: string[]) => repository.instances(ids),
      revision: () => {
        reads++;
        return repository.revision();
      },
    };
    const counted = { serviceDiscovery } as unknown as typeof store;
    const cached = cloudMapZones({ store: counted });
    await Promise.all(Array.from({ length: 50 }, () => cached.lookup('api.local', 'A')));
    assert.equal(reads, 1);
    await assert.rejects(registrations.setHealth(registryArn, 'task-1', 'HEALTHY'), { code: 'InstanceNotFound' });
  });

  it('answers from the most specific namespace, and not for public or HTTP ones', async () => {
    await api.CreatePrivateDnsNamespace({ Name: 'eu.local', Vpc: 'vpc-2' }, context);
    await api.CreatePublicDnsNamespace({ Name: 'example.com' }, context);
    const zones = cloudMapZones({ store, revisionCheckMs: 0 });
    const soa = await zones.lookup('x.eu.local', 'A');
    assert.equal(soa?.kind, 'nxdomain');
    assert.equal(soa?.kind === 'nxdomain' ? soa.authority[0]?.name : '', 'eu.local');
    assert.equal(await zones.lookup('www.example.com', 'A'), undefined);
  });
});
