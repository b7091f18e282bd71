import type { RequestContext } from '../shared/request-context.ts';
import { WRITE_ATTEMPTS, type ServiceDiscoveryDeps } from './deps.ts';
import { RequestLimitExceeded, ServiceAttributesLimitExceededException } from './errors.ts';
import { serviceOf } from './lookups.ts';
import type {
  DeleteServiceAttributesRequest,
  DeleteServiceAttributesResponse,
  GetServiceAttributesRequest,
  GetServiceAttributesResponse,
  UpdateServiceAttributesRequest,
  UpdateServiceAttributesResponse,
} from './shapes.generated.ts';

/* A service's own attributes (not its instances'): at most 30 key-value pairs, kept with the service. */

const MAX_SERVICE_ATTRIBUTES = 30;

export async function getServiceAttributes(
  deps: ServiceDiscoveryDeps,
  input: GetServiceAttributesRequest,
  context: RequestContext,
): Promise<GetServiceAttributesResponse> {
  const service = await serviceOf(deps, input.ServiceId, context);
  return {
    ServiceAttributes: {
      ServiceArn: service.arn,
      ResourceOwner: context.accountId,
      Attributes: { ...service.details.attributes },
    },
  };
}

export async function updateServiceAttributes(
  deps: ServiceDiscoveryDeps,
  input: UpdateServiceAttributesRequest,
  context: RequestContext,
): Promise<UpdateServiceAttributesResponse> {
  await changeAttributes(deps, input.ServiceId, context, (attributes) => {
    const merged = { ...attributes, ...input.Attributes };
    if (Object.keys(merged).length > MAX_SERVICE_ATTRIBUTES) throw new ServiceAttributesLimitExceededException();
    return merged;
  });
  return {};
}

export async function deleteServiceAttributes(
  deps: ServiceDiscoveryDeps,
  input: DeleteServiceAttributesRequest,
  context: RequestContext,
): Promise<DeleteServiceAttributesResponse> {
  await changeAttributes(deps, input.ServiceId, context, (attributes) =>
    Object.fromEntries(Object.entries(attributes).filter(([key]) => !input.Attributes.includes(key))),
  );
  return {};
}

async function changeAttributes(
  deps: ServiceDiscoveryDeps,
  reference: string,
  context: RequestContext,
  change: (attributes: Readonly<Record<string, string>>) => Record<string, string>,
): Promise<void> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const service = await serviceOf(deps, reference, context);
    const attributes = change(service.details.attributes ?? {});
    const next = { ...service, details: { ...service.details, attributes } };
    const written = await deps.store.serviceDiscovery.write({
      services: [{ id: service.id, expectRevision: service.revision, next }],
    });
    if (written) return;
  }
  throw new RequestLimitExceeded();
}
