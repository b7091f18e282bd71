import type { ArnScope } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { CloudMapInstanceRecord, CloudMapWrite, StoredService } from '../store/index.ts';
import { checkAttributes, initialHealth } from './attributes.ts';
import { WRITE_ATTEMPTS, type ServiceDiscoveryDeps } from './deps.ts';
import { CustomHealthNotFound, DuplicateRequest, InstanceNotFound, RequestLimitExceeded } from './errors.ts';
import { serviceOf } from './lookups.ts';
import { recording, succeeded } from './operation-records.ts';
import { pageByKey } from './page-tokens.ts';
import type {
  DeregisterInstanceRequest,
  DeregisterInstanceResponse,
  GetInstanceRequest,
  GetInstanceResponse,
  GetInstancesHealthStatusRequest,
  GetInstancesHealthStatusResponse,
  ListInstancesRequest,
  ListInstancesResponse,
  RegisterInstanceRequest,
  RegisterInstanceResponse,
  UpdateInstanceCustomHealthStatusRequest,
} from './shapes.generated.ts';

/*
 * Instances. RegisterInstance and DeregisterInstance are asynchronous operations (REGISTER_INSTANCE,
 * DEREGISTER_INSTANCE, targets INSTANCE and SERVICE); registering an existing id replaces its
 * attributes and starts its health over, as Cloud Map replaces its records and health check. Every
 * change to an instance rewrites its service too: that orders it against DeleteService and bumps
 * the revision DiscoverInstancesRevision reports.
 */

export interface Registration {
  readonly instanceId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly creatorRequestId?: string;
}

/**
 * Registers (or re-registers) an instance; resolves with the operation's id. `unchanged`: an
 * instance already registered with these very attributes is left as it is, and no operation is
 * recorded (undefined), which is what the in-process registrations need to be repeatable.
 */
export async function register(
  deps: ServiceDiscoveryDeps,
  serviceReference: string,
  registration: Registration,
  options: { scope: ArnScope; unchanged?: 'skip' },
): Promise<string | undefined> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const service = await serviceOf(deps, serviceReference, options.scope);
    const requestKey =
      registration.creatorRequestId !== undefined
        ? `REGISTER_INSTANCE:${service.id}:${registration.creatorRequestId}`
        : undefined;
    const earlier = requestKey !== undefined ? await repository.operationByRequest(requestKey) : undefined;
    if (earlier) {
      if (earlier.targets.INSTANCE !== registration.instanceId) throw DuplicateRequest.of(earlier.id);
      return earlier.id;
    }
    checkAttributes(registration.attributes, service.details);
    const existing = await repository.instance(service.id, registration.instanceId);
    if (options.unchanged === 'skip' && existing && sameAttributes(existing.attributes, registration.attributes)) {
      return undefined;
    }
    const now = deps.clock.now();
    const record: CloudMapInstanceRecord = {
      serviceId: service.id,
      id: registration.instanceId,
      ...(registration.creatorRequestId !== undefined ? { creatorRequestId: registration.creatorRequestId } : {}),
      attributes: { ...registration.attributes },
      health: initialHealth(registration.attributes, service.details),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    const operation = succeeded(deps, 'REGISTER_INSTANCE', {
      ...instanceScope(service, registration.instanceId),
      ...(requestKey !== undefined ? { requestKey } : {}),
    });
    const written = await repository.write({
      ...withService(service, { serviceId: service.id, id: record.id, next: record }),
      ...recording(deps, [operation]),
    });
    if (written) return operation.id;
  }
  throw new RequestLimitExceeded();
}

/** Deregisters an instance; `missing: 'ignore'` makes an absent one no error (undefined, nothing recorded). */
export async function deregister(
  deps: ServiceDiscoveryDeps,
  serviceReference: string,
  instanceId: string,
  options: { scope: ArnScope; missing?: 'ignore' },
): Promise<string | undefined> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const service = await serviceOf(deps, serviceReference, options.scope);
    if (!(await repository.instance(service.id, instanceId))) {
      if (options.missing === 'ignore') return undefined;
      throw InstanceNotFound.of(instanceId);
    }
    const operation = succeeded(deps, 'DEREGISTER_INSTANCE', instanceScope(service, instanceId));
    const written = await repository.write({
      ...withService(service, { serviceId: service.id, id: instanceId }),
      ...recording(deps, [operation]),
    });
    if (written) return operation.id;
  }
  throw new RequestLimitExceeded();
}

/** Sets a custom health status; a service without HealthCheckCustomConfig has none (CustomHealthNotFound). */
export async function setCustomHealth(
  deps: ServiceDiscoveryDeps,
  serviceReference: string,
  instanceId: string,
  options: { scope: ArnScope; status: 'HEALTHY' | 'UNHEALTHY' },
): Promise<void> {
  const repository = deps.store.serviceDiscovery;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const service = await serviceOf(deps, serviceReference, options.scope);
    const instance = await repository.instance(service.id, instanceId);
    if (!instance) throw InstanceNotFound.of(instanceId);
    if (!service.details.customHealth) throw new CustomHealthNotFound();
    if (instance.health === options.status) return;
    const next = { ...instance, health: options.status, updatedAt: deps.clock.now() };
    if (await repository.write(withService(service, { serviceId: service.id, id: instanceId, next }))) return;
  }
  throw new RequestLimitExceeded();
}

function withService(service: StoredService, instance: NonNullable<CloudMapWrite['instances']>[number]): CloudMapWrite {
  return { services: [{ id: service.id, expectRevision: service.revision, next: service }], instances: [instance] };
}

function instanceScope(service: StoredService, instanceId: string) {
  return {
    targets: { INSTANCE: instanceId, SERVICE: service.id },
    namespaceId: service.namespaceId,
    serviceId: service.id,
  };
}

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

export async function registerInstance(
  deps: ServiceDiscoveryDeps,
  input: RegisterInstanceRequest,
  context: RequestContext,
): Promise<RegisterInstanceResponse> {
  const registration = {
    instanceId: input.InstanceId,
    attributes: input.Attributes,
    ...(input.CreatorRequestId !== undefined ? { creatorRequestId: input.CreatorRequestId } : {}),
  };
  return { OperationId: (await register(deps, input.ServiceId, registration, { scope: context }))! };
}

export async function deregisterInstance(
  deps: ServiceDiscoveryDeps,
  input: DeregisterInstanceRequest,
  context: RequestContext,
): Promise<DeregisterInstanceResponse> {
  return { OperationId: (await deregister(deps, input.ServiceId, input.InstanceId, { scope: context }))! };
}

export async function getInstance(
  deps: ServiceDiscoveryDeps,
  input: GetInstanceRequest,
  context: RequestContext,
): Promise<GetInstanceResponse> {
  const service = await serviceOf(deps, input.ServiceId, context);
  const instance = await deps.store.serviceDiscovery.instance(service.id, input.InstanceId);
  if (!instance) throw InstanceNotFound.of(input.InstanceId);
  return {
    ResourceOwner: context.accountId,
    Instance: {
      Id: instance.id,
      ...(instance.creatorRequestId !== undefined ? { CreatorRequestId: instance.creatorRequestId } : {}),
      Attributes: { ...instance.attributes },
      CreatedByAccount: context.accountId,
    },
  };
}

export async function listInstances(
  deps: ServiceDiscoveryDeps,
  input: ListInstancesRequest,
  context: RequestContext,
): Promise<ListInstancesResponse> {
  const service = await serviceOf(deps, input.ServiceId, context);
  const instances = await deps.store.serviceDiscovery.instances(service.id);
  const page = pageByKey(instances, (instance) => instance.id, input);
  return {
    ResourceOwner: context.accountId,
    Instances: page.items.map((instance) => ({
      Id: instance.id,
      Attributes: { ...instance.attributes },
      CreatedByAccount: context.accountId,
    })),
    ...(page.NextToken !== undefined ? { NextToken: page.NextToken } : {}),
  };
}

export async function getInstancesHealthStatus(
  deps: ServiceDiscoveryDeps,
  input: GetInstancesHealthStatusRequest,
  context: RequestContext,
): Promise<GetInstancesHealthStatusResponse> {
  const service = await serviceOf(deps, input.ServiceId, context);
  const instances = await deps.store.serviceDiscovery.instances(service.id);
  let chosen = instances;
  if (input.Instances) {
    const byId = new Map(instances.map((instance) => [instance.id, instance]));
    const missing = input.Instances.find((id) => !byId.has(id));
    if (missing !== undefined) throw InstanceNotFound.of(missing);
    chosen = [...new Set(input.Instances)].sort().map((id) => byId.get(id)!);
  }
  const page = pageByKey(chosen, (instance) => instance.id, input);
  return {
    Status: Object.fromEntries(page.items.map((instance) => [instance.id, instance.health])),
    ...(page.NextToken !== undefined ? { NextToken: page.NextToken } : {}),
  };
}

export async function updateInstanceCustomHealthStatus(
  deps: ServiceDiscoveryDeps,
  input: UpdateInstanceCustomHealthStatusRequest,
  context: RequestContext,
): Promise<void> {
  await setCustomHealth(deps, input.ServiceId, input.InstanceId, { scope: context, status: input.Status });
}
