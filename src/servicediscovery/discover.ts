import type { RequestContext } from '../shared/request-context.ts';
import type { CloudMapInstanceRecord, StoredNamespace, StoredService } from '../store/index.ts';
import type { ServiceDiscoveryDeps } from './deps.ts';
import { NamespaceNotFound, ServiceNotFound } from './errors.ts';
import { namespaceKey, serviceKey } from './names.ts';
import type {
  DiscoverInstancesRequest,
  DiscoverInstancesResponse,
  DiscoverInstancesRevisionRequest,
  DiscoverInstancesRevisionResponse,
  HealthStatusFilter,
} from './shapes.generated.ts';

/*
 * DiscoverInstances, by names (a namespace's HttpName, a service's name): the instances whose
 * attributes match every QueryParameter; of those, the ones matching every OptionalParameter if any
 * do (else the OptionalParameters are ignored); by health (ignored for a service whose instances
 * have no health Berth knows); in random order, MaxResults of them (100 by default). Without a
 * HealthStatus every instance is returned (ALL). InstancesRevision is the service's revision, which
 * every change to its instances (registration, deregistration, health) increases.
 */

export interface DiscoveryQuery {
  readonly queryParameters?: Readonly<Record<string, string>>;
  readonly optionalParameters?: Readonly<Record<string, string>>;
  readonly healthStatus?: HealthStatusFilter;
  readonly maxResults?: number;
  /** Whether the service's instances have a health Berth keeps (custom health): else HealthStatus is ignored. */
  readonly healthChecked: boolean;
}

const DEFAULT_MAX_RESULTS = 100;

/** The instances a DiscoverInstances query returns, shuffled with `random`. */
export function selectInstances<T extends Pick<CloudMapInstanceRecord, 'attributes' | 'health'>>(
  instances: readonly T[],
  query: DiscoveryQuery,
  random: () => number,
): T[] {
  const matches = (instance: T, parameters: Readonly<Record<string, string>> | undefined) =>
    Object.entries(parameters ?? {}).every(([key, value]) => instance.attributes[key] === value);
  let chosen = instances.filter((instance) => matches(instance, query.queryParameters));
  const preferred = chosen.filter((instance) => matches(instance, query.optionalParameters));
  if (preferred.length > 0) chosen = preferred;
  if (query.healthChecked) chosen = byHealth(chosen, query.healthStatus ?? 'ALL');
  return shuffle(chosen, random).slice(0, query.maxResults ?? DEFAULT_MAX_RESULTS);
}

function byHealth<T extends Pick<CloudMapInstanceRecord, 'health'>>(instances: T[], filter: HealthStatusFilter): T[] {
  const healthy = instances.filter((instance) => instance.health === 'HEALTHY');
  switch (filter) {
    case 'HEALTHY':
      return healthy;
    case 'UNHEALTHY':
      return instances.filter((instance) => instance.health === 'UNHEALTHY');
    case 'HEALTHY_OR_ELSE_ALL':
      return healthy.length > 0 ? healthy : instances;
    default:
      return instances;
  }
}

/** Fisher–Yates, on a copy. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function discovered(
  deps: ServiceDiscoveryDeps,
  input: { NamespaceName: string; ServiceName: string; OwnerAccount?: string },
  context: RequestContext,
): Promise<{ namespace: StoredNamespace; service: StoredService }> {
  const repository = deps.store.serviceDiscovery;
  const namespace =
    input.OwnerAccount === undefined || input.OwnerAccount === context.accountId
      ? await repository.namespaceByName(namespaceKey(input.NamespaceName))
      : undefined;
  if (!namespace) throw new NamespaceNotFound();
  const service = await repository.serviceByName(namespace.id, serviceKey(input.ServiceName, namespace.type));
  if (!service) throw new ServiceNotFound();
  return { namespace, service };
}

export async function discoverInstances(
  deps: ServiceDiscoveryDeps,
  input: DiscoverInstancesRequest,
  context: RequestContext,
): Promise<DiscoverInstancesResponse> {
  const { namespace, service } = await discovered(deps, input, context);
  const instances = await deps.store.serviceDiscovery.instances(service.id);
  const chosen = selectInstances(
    instances,
    {
      ...(input.QueryParameters ? { queryParameters: input.QueryParameters } : {}),
      ...(input.OptionalParameters ? { optionalParameters: input.OptionalParameters } : {}),
      ...(input.HealthStatus ? { healthStatus: input.HealthStatus } : {}),
      ...(input.MaxResults !== undefined ? { maxResults: input.MaxResults } : {}),
      healthChecked: service.details.customHealth,
    },
    deps.random ?? Math.random,
  );
  return {
    Instances: chosen.map((instance) => ({
      InstanceId: instance.id,
      NamespaceName: namespace.name,
      ServiceName: service.name,
      HealthStatus: instance.health,
      Attributes: { ...instance.attributes },
    })),
    InstancesRevision: service.revision,
  };
}

export async function discoverInstancesRevision(
  deps: ServiceDiscoveryDeps,
  input: DiscoverInstancesRevisionRequest,
  context: RequestContext,
): Promise<DiscoverInstancesRevisionResponse> {
  const { service } = await discovered(deps, input, context);
  return { InstancesRevision: service.revision };
}
