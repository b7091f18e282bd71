import { checkServiceRegistries, checkUpdatedRegistries } from './service-registries.ts';
import { checkServiceExecRole } from './exec-agents.ts';
import { randomInt } from 'node:crypto';
import { formatArn, parseArn } from '../shared/arn.ts';
import { DEFAULT_ECS_QUOTAS, type EcsQuotas } from '../shared/ecs-quotas.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import {
  ClientException,
  InvalidParameterException,
  NamespaceNotFoundException,
  ServiceNotActiveException,
  ServiceNotFoundException,
} from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import { serviceView } from './service-view.ts';
import { placementConstraints, placementStrategies } from './task-placement.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import { checkNetwork, launchTypeOf } from './task-validation.ts';
import type { TaskDeps } from './tasks.ts';
import { checkLoadBalancers } from './service-load-balancer-checks.ts';
import { deploymentConfiguration, mergedConfiguration } from './deployment-strategy.ts';
import { checkExternalCreate, checkExternalRedeploy, isExternal } from './external-controller.ts';
import {
  checkCodeDeployCreate,
  checkCodeDeployUpdate,
  hasTaskSets,
  initialTaskSet,
  isCodeDeploy,
} from './code-deploy-controller.ts';
import type {
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  Deployment,
  DescribeServicesRequest,
  DescribeServicesResponse,
  Failure,
  LaunchType,
  ListServicesByNamespaceRequest,
  ListServicesByNamespaceResponse,
  ListServicesRequest,
  ListServicesResponse,
  Service,
  UpdateServiceRequest,
  UpdateServiceResponse,
  TaskSet,
} from './shapes.generated.ts';

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function serviceArn(context: RequestContext, cluster: string, name: string): string {
  return formatArn('ecs', context, `service/${cluster}/${name}`);
}

export function serviceNameOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  return (parseArn(reference)?.resource ?? '').split('/').at(-1) ?? reference;
}

/** ECS deployment ids: ecs-svc/ and 19 digits. */
function deploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

/** A new deployment of the service's current settings (stored with epoch-millisecond times). */
export function newDeployment(service: Service, now: Date): Deployment {
  return {
    id: deploymentId(),
    status: 'PRIMARY',
    taskDefinition: service.taskDefinition,
    desiredCount: service.desiredCount ?? 0,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    ...(service.launchType ? { launchType: service.launchType } : {}),
    ...(service.capacityProviderStrategy ? { capacityProviderStrategy: service.capacityProviderStrategy } : {}),
    ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
    // Berth's own field (the views drop it): the Cloud Map registries this deployment's tasks join.
    ...({ serviceRegistries: service.serviceRegistries ?? [] } as object),
    ...(service.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment ' + 'in progress.',
  };
}

export async function requireDefinitionArn(deps: TaskDeps, reference: string | undefined): Promise<string> {
  if (!reference) throw new InvalidParameterException('taskDefinition is required.');
  const record = await findTaskDefinition(deps, reference);
  if (!record) throw new ClientException('TaskDefinition not found.');
  if (record.status !== 'ACTIVE') throw new ClientException('TaskDefinition is inactive');
  return toTaskDefinition(record).taskDefinitionArn!;
}

/** The checks CreateService makes before anything else; returns the desired count. */
function checkCreate(input: CreateServiceRequest, daemon: boolean, quotas: EcsQuotas): number {
  if (!NAME.test(input.serviceName))
    throw new InvalidParameterException('Service names can have up to 255 letters, numbers, underscores and hyphens.');
  if (daemon && input.desiredCount !== undefined)
    throw new InvalidParameterException(
      'The daemon scheduling strategy does not support a desired count for services.',
    );
  if (daemon && input.launchType === 'FARGATE')
    throw new InvalidParameterException('The daemon scheduling strategy does not support the FARGATE launch type.');
  const desiredCount = daemon ? 0 : (input.desiredCount ?? 0);
  if (desiredCount < 0) throw new InvalidParameterException('desiredCount must be at least 0.');
  placementConstraints([], input.placementConstraints ?? [], quotas.placementConstraints);
  if (input.placementStrategy) placementStrategies(input.placementStrategy, quotas.placementStrategies);
  return desiredCount;
}

/** EXTERNAL services need no task definition: their task sets have theirs. */
async function serviceDefinitionArn(deps: TaskDeps, input: CreateServiceRequest): Promise<string | undefined> {
  if (!isExternal(input)) return requireDefinitionArn(deps, input.taskDefinition);
  checkExternalCreate(input);
  return input.taskDefinition ? requireDefinitionArn(deps, input.taskDefinition) : undefined;
}

export async function createService(
  deps: TaskDeps,
  input: CreateServiceRequest,
  context: RequestContext,
): Promise<CreateServiceResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const daemon = input.schedulingStrategy === 'DAEMON';
  const quotas = deps.quotas ?? DEFAULT_ECS_QUOTAS;
  const desiredCount = checkCreate(input, daemon, quotas);
  const external = isExternal(input);
  if (isCodeDeploy(input)) checkCodeDeployCreate(input);
  const taskDefinitionArn = await serviceDefinitionArn(deps, input);
  const asRun = { ...input, taskDefinition: taskDefinitionArn ?? '' };
  const launchType = launchTypeOf(asRun, cluster);
  const definition = taskDefinitionArn
    ? toTaskDefinition((await findTaskDefinition(deps, taskDefinitionArn))!)
    : undefined;
  if (definition) checkNetwork(definition, asRun, launchType);
  await checkServiceExecRole(deps, { ...input, taskDefinition: taskDefinitionArn }, 'created');
  const config = deploymentConfiguration(input.deploymentConfiguration, daemon, input.deploymentController);
  if (!external) await checkLoadBalancers(deps, input.loadBalancers ?? [], { definition, config });
  await checkServiceRegistries(deps.serviceRegistries, input.serviceRegistries ?? [], definition);
  if ((await deps.store.services.countActive(cluster.name)) >= quotas.servicesPerCluster)
    throw new InvalidParameterException(`A cluster can have at most ${quotas.servicesPerCluster} services.`);
  const now = deps.clock.now();
  const arn = serviceArn(context, cluster.name, input.serviceName);
  const service = newService(input, {
    arn,
    cluster: cluster.arn,
    desiredCount,
    launchType,
    taskDefinitionArn,
    daemon,
    now,
    createdBy: context.principal.arn,
  });
  service.deployments = hasTaskSets(input) ? [] : [newDeployment(service, now)];
  if (external) service.taskSets = [];
  if (isCodeDeploy(input)) {
    const first = initialTaskSet(service, { clusterName: cluster.name, context, now: now.getTime() });
    service.taskSets = [first as unknown as TaskSet];
  }
  const record: ServiceRecord = {
    cluster: cluster.name,
    name: input.serviceName,
    arn,
    status: 'ACTIVE',
    createdAt: now,
    body: storedService(service),
  };
  if (!(await deps.store.services.insert(record))) {
    const [existing] = await deps.store.services.get(cluster.name, [input.serviceName]);
    // ECS answers a repeated create with the same clientToken with the service; otherwise refuses.
    if (existing && input.clientToken !== undefined && existing.body.clientToken === input.clientToken)
      return { service: await serviceView(deps, existing, false) };
    throw new InvalidParameterException('Creation of service was not idempotent.');
  }
  if (input.clientToken !== undefined)
    await deps.store.services.replace(record, { ...record, body: { ...record.body, clientToken: input.clientToken } });
  deps.serviceChanged?.();
  return { service: await serviceView(deps, record, false) };
}

function newService(
  input: CreateServiceRequest,
  v: {
    arn: string;
    cluster: string;
    desiredCount: number;
    launchType: LaunchType;
    taskDefinitionArn: string | undefined;
    daemon: boolean;
    now: Date;
    createdBy: string;
  },
): Service {
  return {
    serviceArn: v.arn,
    serviceName: input.serviceName,
    clusterArn: v.cluster,
    loadBalancers: input.loadBalancers ?? [],
    serviceRegistries: input.serviceRegistries ?? [],
    status: 'ACTIVE',
    desiredCount: v.desiredCount,
    ...(input.capacityProviderStrategy
      ? { capacityProviderStrategy: input.capacityProviderStrategy }
      : { launchType: v.launchType }),
    ...(v.launchType === 'FARGATE' ? { platformVersion: 'LATEST', platformFamily: 'Linux' } : {}),
    ...(v.taskDefinitionArn ? { taskDefinition: v.taskDefinitionArn } : {}),
    deploymentConfiguration: deploymentConfiguration(
      input.deploymentConfiguration,
      v.daemon,
      input.deploymentController,
    ),
    events: [],
    createdAt: v.now,
    placementConstraints: input.placementConstraints ?? [],
    placementStrategy: input.placementStrategy ?? [],
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    ...(input.healthCheckGracePeriodSeconds !== undefined
      ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds }
      : {}),
    schedulingStrategy: v.daemon ? 'DAEMON' : 'REPLICA',
    deploymentController: input.deploymentController ?? { type: 'ECS' },
    tags: input.tags ?? [],
    createdBy: v.createdBy,
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    propagateTags: input.propagateTags ?? 'NONE',
    enableExecuteCommand: input.enableExecuteCommand ?? false,
  };
}

/** The body stored for a service: Dates as epoch milliseconds. */
export function storedService(service: Service): Record<string, unknown> {
  const text = JSON.stringify(service, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() : value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

export async function requireService(deps: TaskDeps, cluster: string, reference: string): Promise<ServiceRecord> {
  const [record] = await deps.store.services.get(cluster, [serviceNameOf(reference)]);
  if (!record || record.status === 'INACTIVE') throw new ServiceNotFoundException();
  return record;
}

/** The service's settings after an UpdateService (deployments aside). */
function updatedSettings(
  service: Service,
  input: UpdateServiceRequest,
  taskDefinition: string | undefined,
  daemon: boolean,
): Service {
  return {
    ...service,
    desiredCount: input.desiredCount ?? service.desiredCount,
    taskDefinition,
    ...(input.deploymentConfiguration
      ? {
          deploymentConfiguration: deploymentConfiguration(
            mergedConfiguration(service.deploymentConfiguration, input.deploymentConfiguration),
            daemon,
            service.deploymentController,
          ),
        }
      : {}),
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    ...(input.serviceRegistries ? { serviceRegistries: input.serviceRegistries } : {}),
    ...(input.placementConstraints ? { placementConstraints: input.placementConstraints } : {}),
    ...(input.placementStrategy ? { placementStrategy: input.placementStrategy } : {}),
    ...(input.capacityProviderStrategy ? { capacityProviderStrategy: input.capacityProviderStrategy } : {}),
    ...(input.healthCheckGracePeriodSeconds !== undefined
      ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds }
      : {}),
    ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
    ...(input.propagateTags ? { propagateTags: input.propagateTags } : {}),
  };
}

/** What makes UpdateService start a new deployment: a new revision, network, registries, placement, providers, or force. */
function needsDeployment(service: Service, input: UpdateServiceRequest, taskDefinition: string | undefined): boolean {
  return (
    input.forceNewDeployment === true ||
    taskDefinition !== service.taskDefinition ||
    input.networkConfiguration !== undefined ||
    input.serviceRegistries !== undefined ||
    input.placementConstraints !== undefined ||
    input.placementStrategy !== undefined ||
    input.capacityProviderStrategy !== undefined
  );
}

/**
 * Read, change, compare-and-set: the service scheduler writes services too, and neither may lose
 * the other's change. Retried from a fresh read when the service changed in between.
 */
export async function changeService(
  deps: TaskDeps,
  cluster: string,
  reference: string,
  change: (record: ServiceRecord) => Promise<ServiceRecord>,
): Promise<ServiceRecord> {
  for (let attempt = 0; ; attempt++) {
    const record = await requireService(deps, cluster, reference);
    const updated = await change(record);
    if (await deps.store.services.replace(record, updated)) {
      deps.serviceChanged?.();
      return updated;
    }
    if (attempt >= 20) throw new Error(`service ${reference} kept changing; try again`);
  }
}

export async function updateService(deps: TaskDeps, input: UpdateServiceRequest): Promise<UpdateServiceResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const updated = await changeService(deps, cluster.name, input.service, (record) =>
    updatedService(deps, record, input),
  );
  return { service: await serviceView(deps, updated, false) };
}

async function updatedService(deps: TaskDeps, record: ServiceRecord, input: UpdateServiceRequest) {
  if (record.status !== 'ACTIVE') throw new ServiceNotActiveException();
  const service = record.body as Service;
  const daemon = service.schedulingStrategy === 'DAEMON';
  if (daemon && input.desiredCount !== undefined)
    throw new InvalidParameterException(
      'The daemon scheduling strategy does not support a desired count for services.',
    );
  if (input.desiredCount !== undefined && input.desiredCount < 0)
    throw new InvalidParameterException('desiredCount must be at least 0.');
  checkCodeDeployUpdate(service, input);
  const taskDefinition = input.taskDefinition
    ? await requireDefinitionArn(deps, input.taskDefinition)
    : service.taskDefinition;
  const now = deps.clock.now();
  const next = updatedSettings(service, input, taskDefinition, daemon);
  if (input.deploymentConfiguration)
    await checkLoadBalancers(deps, next.loadBalancers ?? [], {
      definition: undefined,
      config: next.deploymentConfiguration,
    });
  await checkUpdatedRegistries(deps, {
    before: service,
    next,
    registriesChanged: input.serviceRegistries !== undefined,
  });
  if (input.enableExecuteCommand || taskDefinition !== service.taskDefinition)
    await checkServiceExecRole(deps, next, 'updated');
  const redeploy = needsDeployment(service, input, taskDefinition);
  if (redeploy && isExternal(service)) checkExternalRedeploy();
  const deployments = (service.deployments ?? []) as Deployment[];
  // A CODE_DEPLOY service's placement changes apply to its task sets' next tasks: no deployment.
  if (redeploy && !isCodeDeploy(service)) {
    next.deployments = [
      newDeployment(next, now),
      ...deployments.map((d) => ({ ...d, status: 'ACTIVE', updatedAt: now })),
    ];
  } else {
    next.deployments = deployments.map((d) =>
      d.status === 'PRIMARY' ? { ...d, desiredCount: next.desiredCount, updatedAt: now } : d,
    );
  }
  return { ...record, body: storedService(next) };
}

export async function deleteService(deps: TaskDeps, input: DeleteServiceRequest): Promise<DeleteServiceResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const updated = await changeService(deps, cluster.name, input.service, (record) => {
    const service = record.body as Service;
    if (!input.force && (service.desiredCount ?? 0) > 0 && service.schedulingStrategy !== 'DAEMON') {
      throw new InvalidParameterException(
        'The service cannot be stopped while it is scaled above 0. Scale it down to 0 first, or use force.',
      );
    }
    return Promise.resolve({
      ...record,
      status: 'DRAINING',
      body: storedService({ ...service, status: 'DRAINING', desiredCount: 0 }),
    });
  });
  return { service: await serviceView(deps, updated, false) };
}

export async function describeServices(
  deps: TaskDeps,
  input: DescribeServicesRequest,
  context: RequestContext,
): Promise<DescribeServicesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  if (input.services.length === 0) throw new InvalidParameterException('Services cannot be empty.');
  if (input.services.length > 10) throw new InvalidParameterException('services can have at most 10 items.');
  const names = input.services.map(serviceNameOf);
  const found = new Map((await deps.store.services.get(cluster.name, names)).map((r) => [r.name, r]));
  const services: Service[] = [];
  const failures: Failure[] = [];
  for (const name of names) {
    const record = found.get(name);
    if (record) services.push(await serviceView(deps, record, input.include?.includes('TAGS') ?? false));
    else failures.push({ arn: serviceArn(context, cluster.name, name), reason: 'MISSING' });
  }
  return { services, failures };
}

export async function listServices(deps: TaskDeps, input: ListServicesRequest): Promise<ListServicesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const limit = pageSize(input.maxResults, 100);
  const rows = (
    await deps.store.services.list(cluster.name, { after: decodeNextToken(input.nextToken), limit: 100_000 })
  ).filter(
    (r) =>
      (input.launchType === undefined || (r.body as Service).launchType === input.launchType) &&
      (input.schedulingStrategy === undefined || (r.body as Service).schedulingStrategy === input.schedulingStrategy),
  );
  const page = rows.slice(0, limit);
  return {
    serviceArns: page.map((r) => r.arn),
    ...(rows.length > limit ? { nextToken: encodeNextToken(page.at(-1)!.name) } : {}),
  };
}

/** Service Connect namespaces are not served yet: no service is in any namespace. */
export async function listServicesByNamespace(
  _deps: TaskDeps,
  input: ListServicesByNamespaceRequest,
): Promise<ListServicesByNamespaceResponse> {
  // TODO(roadmap: service discovery) namespaces from a Cloud Map compatible API.
  throw new NamespaceNotFoundException(`The namespace ${input.namespace} could not be found.`);
}
