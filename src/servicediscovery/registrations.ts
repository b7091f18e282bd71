import type { ServiceDiscoveryDeps } from './deps.ts';
import { ServiceNotFound } from './errors.ts';
import { deregister, register, setCustomHealth } from './instances.ts';
import { namespaceOf, serviceOf } from './lookups.ts';

/**
 * What ECS's service scheduler does in Cloud Map for a service's serviceRegistries, in process (no
 * request, no authorization: the scheduler acts as ECS does). Each call is repeatable: registering
 * an instance again with the same attributes changes and records nothing; with other attributes it
 * is a RegisterInstance (REGISTER_INSTANCE recorded, health started over); deregistering an absent
 * instance is no error. A registryArn whose service is gone is ServiceNotFound, except to `service`.
 */
export interface ServiceRegistrations {
  /** The Cloud Map service of a registryArn (arn:aws:servicediscovery:...:service/srv-...), or undefined if gone. */
  service(registryArn: string): Promise<
    | {
        id: string;
        namespaceName: string;
        dnsRecords: readonly { Type: string }[];
        routingPolicy?: string;
        customHealth: boolean;
      }
    | undefined
  >;
  register(registryArn: string, instanceId: string, attributes: Readonly<Record<string, string>>): Promise<void>;
  deregister(registryArn: string, instanceId: string): Promise<void>;
  setHealth(registryArn: string, instanceId: string, status: 'HEALTHY' | 'UNHEALTHY'): Promise<void>;
  /** The service's instances, in id order, with their attributes (ECS_CLUSTER_NAME, ECS_SERVICE_NAME...). */
  instances(registryArn: string): Promise<readonly { id: string; attributes: Readonly<Record<string, string>> }[]>;
}

export function serviceRegistrations(deps: ServiceDiscoveryDeps): ServiceRegistrations {
  const scope = deps.scope;
  return {
    async service(registryArn) {
      const service = await serviceOf(deps, registryArn, scope).catch((error: unknown) => {
        if (error instanceof ServiceNotFound) return undefined;
        throw error;
      });
      if (!service) return undefined;
      const namespace = await namespaceOf(deps, service.namespaceId, scope);
      const dns = service.details.dnsConfig;
      return {
        id: service.id,
        namespaceName: namespace.name,
        dnsRecords: (dns?.DnsRecords ?? []).map((record) => ({ Type: record.Type })),
        ...(dns?.RoutingPolicy !== undefined ? { routingPolicy: dns.RoutingPolicy } : {}),
        customHealth: service.details.customHealth,
      };
    },
    async register(registryArn, instanceId, attributes) {
      await register(deps, registryArn, { instanceId, attributes }, { scope, unchanged: 'skip' });
    },
    async deregister(registryArn, instanceId) {
      await deregister(deps, registryArn, instanceId, { scope, missing: 'ignore' });
    },
    async setHealth(registryArn, instanceId, status) {
      await setCustomHealth(deps, registryArn, instanceId, { scope, status });
    },
    async instances(registryArn) {
      const service = await serviceOf(deps, registryArn, scope);
      const instances = await deps.store.serviceDiscovery.instances(service.id);
      return instances.map((instance) => ({ id: instance.id, attributes: instance.attributes }));
    },
  };
}
