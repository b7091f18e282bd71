import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { serviceDiscoveryOperations } from './operations.ts';
import type { ServiceDiscoveryApi } from './shapes.generated.ts';

const scope = { region: 'us-east-1', accountId: '000000000000' };
const context = {
  ...scope,
  requestId: 'r',
  accessKeyId: 'AKIA',
  principal: { arn: 'root' },
} as unknown as RequestContext;

describe("a service's attributes", () => {
  let store: SqliteStore;
  let api: Required<ServiceDiscoveryApi>;
  let serviceId: string;

  before(async () => {
    store = await SqliteStore.open(':memory:');
    api = serviceDiscoveryOperations({ store, clock: new FakeClock(), scope }) as Required<ServiceDiscoveryApi>;
    const created = await api.CreateHttpNamespace({ Name: 'apis' }, context);
    const namespaceId = (await api.GetOperation({ OperationId: created.OperationId! }, context)).Operation!.Targets!
      .NAMESPACE!;
    serviceId = (await api.CreateService({ Name: 'api', NamespaceId: namespaceId }, context)).Service!.Id!;
  });
  after(() => store.close());

  it('merges, deletes and reports them, 30 at most, and keeps them through UpdateService', async () => {
    await api.UpdateServiceAttributes({ ServiceId: serviceId, Attributes: { port: '80', tier: 'web' } }, context);
    await api.UpdateServiceAttributes({ ServiceId: serviceId, Attributes: { tier: 'api' } }, context);
    await api.DeleteServiceAttributes({ ServiceId: serviceId, Attributes: ['port', 'absent'] }, context);
    await api.UpdateService({ Id: serviceId, Service: { Description: 'the API' } }, context);
    const { ServiceAttributes } = await api.GetServiceAttributes({ ServiceId: serviceId }, context);
    assert.deepEqual(ServiceAttributes, {
      ServiceArn: `arn:aws:servicediscovery:us-east-1:000000000000:service/${serviceId}`,
      ResourceOwner: '000000000000',
      Attributes: { tier: 'api' },
    });
    // 1 kept + 30 new = 31 > 30.
    const thirty = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v']));
    await assert.rejects(api.UpdateServiceAttributes({ ServiceId: serviceId, Attributes: thirty }, context), {
      code: 'ServiceAttributesLimitExceededException',
    });
    await assert.rejects(api.GetServiceAttributes({ ServiceId: 'srv-none' }, context), { code: 'ServiceNotFound' });
  });
});
