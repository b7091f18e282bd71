import type { ArnScope } from '../shared/arn.ts';
import type { StoredNamespace, StoredService } from '../store/index.ts';
import type { ServiceDiscoveryDeps } from './deps.ts';
import { NamespaceNotFound, ServiceNotFound } from './errors.ts';
import { idOf } from './ids.ts';

/** The namespace an Id or ARN names, or Cloud Map's NamespaceNotFound. */
export async function namespaceOf(
  deps: Pick<ServiceDiscoveryDeps, 'store'>,
  reference: string,
  scope: ArnScope,
): Promise<StoredNamespace> {
  const id = idOf(reference, 'namespace', scope);
  const namespace = id === undefined ? undefined : await deps.store.serviceDiscovery.namespace(id);
  if (!namespace) throw new NamespaceNotFound();
  return namespace;
}

/** The service an Id or ARN names, or Cloud Map's ServiceNotFound. */
export async function serviceOf(
  deps: Pick<ServiceDiscoveryDeps, 'store'>,
  reference: string,
  scope: ArnScope,
): Promise<StoredService> {
  const id = idOf(reference, 'service', scope);
  const service = id === undefined ? undefined : await deps.store.serviceDiscovery.service(id);
  if (!service) throw new ServiceNotFound();
  return service;
}
