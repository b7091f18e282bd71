import type { RequestContext } from '../shared/request-context.ts';
import type { CloudMapServiceRecord } from '../store/index.ts';
import { WRITE_ATTEMPTS, type ServiceDiscoveryDeps } from './deps.ts';
import { InvalidInput, RequestLimitExceeded, ResourceInUse, ServiceAlreadyExists } from './errors.ts';
import { serviceFilter } from './filters.ts';
import { newServiceId, serviceArn } from './ids.ts';
import { namespaceOf, serviceOf } from './lookups.ts';
import { serviceKey } from './names.ts';
import { recording, succeeded } from './operation-records.ts';
import { pageByKey } from './page-tokens.ts';
import { resolveServiceSettings, updateServiceSettings } from './service-config.ts';
import type {
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  GetServiceRequest,
  GetServiceResponse,
  ListServicesRequest,
  ListServicesResponse,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from './shapes.generated.ts';
import { checkTags } from './tags.ts';
import { serviceSummary, serviceView } from './views.ts';

/*
 * Services. CreateService answers at once (it is not one of Cloud Map's asynchronous operations);
 * it rewrites its namespace, so a DeleteNamespace planned without it fails and plans again. A retry
 * with the CreatorRequestId that created the service gets the service; another request for the
 * name gets ServiceAlreadyExists. UpdateService is asynchronous (UPDATE_SERVICE). DeleteService
 * is refused while the service has instances (ResourceInUse, in Cloud Map's words).
 */

export async function createService(
  deps: ServiceDiscoveryDeps,
  input: CreateServiceRequest,
  context: RequestContext,
): Promise<CreateServiceResponse> {
  const reference = namespaceReference(input);
  if (input.Tags) checkTags(input.Tags, input.Name);
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const namespace = await namespaceOf(deps, reference, context);
    const settings = resolveServiceSettings({
      namespaceType: namespace.type,
      ...(input.Type !== undefined ? { type: input.Type } : {}),
      ...(input.DnsConfig !== undefined ? { dnsConfig: input.DnsConfig } : {}),
      ...(input.HealthCheckConfig !== undefined ? { healthCheckConfig: input.HealthCheckConfig } : {}),
      customHealth: input.HealthCheckCustomConfig !== undefined,
    });
    const nameKey = serviceKey(input.Name, namespace.type);
    const existing = await repository.serviceByName(namespace.id, nameKey);
    if (existing) {
      const retry =
        input.CreatorRequestId !== undefined && existing.details.creatorRequestId === input.CreatorRequestId;
      if (retry) return { Service: serviceView(existing, context.accountId) };
      throw ServiceAlreadyExists.of(existing);
    }
    const id = newServiceId();
    const record: CloudMapServiceRecord = {
      id,
      arn: serviceArn(context, id),
      namespaceId: namespace.id,
      name: input.Name,
      nameKey,
      createdAt: deps.clock.now(),
      details: {
        ...settings,
        ...(input.Description !== undefined && input.Description !== '' ? { description: input.Description } : {}),
        ...(input.CreatorRequestId !== undefined ? { creatorRequestId: input.CreatorRequestId } : {}),
        tags: (input.Tags ?? []).map((tag) => ({ Key: tag.Key, Value: tag.Value })),
      },
    };
    const written = await repository.write({
      namespaces: [{ id: namespace.id, expectRevision: namespace.revision, next: namespace }],
      services: [{ id, expectRevision: undefined, next: record }],
    });
    if (written) return { Service: serviceView({ ...record, revision: 1, instanceCount: 0 }, context.accountId) };
  }
  throw new RequestLimitExceeded();
}

/** CreateService's namespace: NamespaceId, or the deprecated DnsConfig.NamespaceId; not two different ones. */
function namespaceReference(input: CreateServiceRequest): string {
  const direct = input.NamespaceId;
  const legacy = input.DnsConfig?.NamespaceId;
  if (direct !== undefined && legacy !== undefined && direct !== legacy) {
    throw new InvalidInput('NamespaceId and DnsConfig.NamespaceId name different namespaces.');
  }
  const reference = direct ?? legacy;
  if (reference === undefined) {
    throw new InvalidInput('The namespace ID must be specified, either in NamespaceId or in DnsConfig.NamespaceId.');
  }
  return reference;
}

export async function getService(
  deps: ServiceDiscoveryDeps,
  input: GetServiceRequest,
  context: RequestContext,
): Promise<GetServiceResponse> {
  return { Service: serviceView(await serviceOf(deps, input.Id, context), context.accountId) };
}

export async function listServices(
  deps: ServiceDiscoveryDeps,
  input: ListServicesRequest,
  context: RequestContext,
): Promise<ListServicesResponse> {
  const matches = serviceFilter(input.Filters, context);
  const services = (await deps.store.serviceDiscovery.services()).filter(matches);
  const page = pageByKey(services, (service) => service.id, input);
  return {
    Services: page.items.map((service) => serviceSummary(service, context.accountId)),
    ...(page.NextToken !== undefined ? { NextToken: page.NextToken } : {}),
  };
}

export async function updateService(
  deps: ServiceDiscoveryDeps,
  input: UpdateServiceRequest,
  context: RequestContext,
): Promise<UpdateServiceResponse> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const service = await serviceOf(deps, input.Id, context);
    const namespace = await namespaceOf(deps, service.namespaceId, context);
    const details = updateServiceSettings(service.details, input.Service, namespace.type);
    const operation = succeeded(deps, 'UPDATE_SERVICE', {
      targets: { SERVICE: service.id },
      namespaceId: service.namespaceId,
      serviceId: service.id,
    });
    const written = await repository.write({
      services: [{ id: service.id, expectRevision: service.revision, next: { ...service, details } }],
      ...recording(deps, [operation]),
    });
    if (written) return { OperationId: operation.id };
  }
  throw new RequestLimitExceeded();
}

export async function deleteService(
  deps: ServiceDiscoveryDeps,
  input: DeleteServiceRequest,
  context: RequestContext,
): Promise<DeleteServiceResponse> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const service = await serviceOf(deps, input.Id, context);
    if (service.instanceCount > 0) {
      throw new ResourceInUse(
        'Service contains registered instances; delete the instances before deleting the service',
      );
    }
    if (await repository.write({ services: [{ id: service.id, expectRevision: service.revision }] })) return {};
  }
  throw new RequestLimitExceeded();
}
