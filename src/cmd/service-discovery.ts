import type { ServiceDiscovery } from '../ecs/index.ts';
import type { ServiceRegistrations } from '../servicediscovery/index.ts';

/**
 * ECS's service scheduler on Cloud Map's in-process registrations: the record types of a
 * registry, and the instances ECS registered for one cluster's service (by the ECS_CLUSTER_NAME
 * and ECS_SERVICE_NAME attributes it gives them), so that it never touches another's.
 */
export function ecsServiceDiscovery(registrations: ServiceRegistrations): ServiceDiscovery {
  return {
    async service(registryArn) {
      const service = await registrations.service(registryArn);
      return service && { recordTypes: service.dnsRecords.map((record) => record.Type) };
    },
    register: (registryArn, instanceId, attributes) => registrations.register(registryArn, instanceId, attributes),
    deregister: (registryArn, instanceId) => registrations.deregister(registryArn, instanceId),
    setHealth: (registryArn, instanceId, status) => registrations.setHealth(registryArn, instanceId, status),
    async instancesOf(registryArn, owner) {
      if ((await registrations.service(registryArn)) === undefined) return [];
      return (await registrations.instances(registryArn))
        .filter(
          (i) => i.attributes.ECS_CLUSTER_NAME === owner.cluster && i.attributes.ECS_SERVICE_NAME === owner.service,
        )
        .map((i) => i.id);
    },
  };
}
