/**
 * Task sets: what a service with the EXTERNAL deployment controller runs. They are stored in the
 * service's body (`taskSets`, written compare-and-set with the rest of the service); their counts
 * are computed from the service's desired count and their tasks, never stored. The service
 * scheduler (service-task-sets.ts) keeps each one at its computed count.
 */
import { randomInt } from 'node:crypto';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ServiceRecord, TaskStatuses } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import { InvalidParameterException, ServiceNotActiveException, TaskSetNotFoundException } from './errors.ts';
import { changeService, requireDefinitionArn, requireService, serviceNameOf, storedService } from './services.ts';
import { checkLoadBalancers } from './service-load-balancer-checks.ts';
import { taskCounts } from './service-view.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import { computedDesiredCount } from './task-set-plan.ts';
import { hasTaskSets, isCodeDeploy } from './code-deploy-controller.ts';
import { checkNetwork, launchTypeOf } from './task-validation.ts';
import type { TaskDeps } from './tasks.ts';
import type {
  CreateTaskSetRequest,
  CreateTaskSetResponse,
  DeleteTaskSetRequest,
  DeleteTaskSetResponse,
  DescribeTaskSetsRequest,
  DescribeTaskSetsResponse,
  Failure,
  Scale,
  Service,
  TaskSet,
  UpdateServicePrimaryTaskSetRequest,
  UpdateServicePrimaryTaskSetResponse,
  UpdateTaskSetRequest,
  UpdateTaskSetResponse,
} from './shapes.generated.ts';

/** A task set as stored: times in epoch milliseconds, plus the clientToken of its creation. */
export type StoredTaskSet = Omit<TaskSet, 'id' | 'createdAt' | 'updatedAt' | 'stabilityStatusAt'> & {
  id: string;
  createdAt: number;
  updatedAt: number;
  stabilityStatusAt: number;
  clientToken?: string;
};

export function storedTaskSets(service: Service): StoredTaskSet[] {
  return ((service as { taskSets?: unknown }).taskSets ?? []) as StoredTaskSet[];
}

/** ECS task set ids: ecs-svc/ and 19 digits, as deployment ids. */
export function newTaskSetId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

function checkScale(scale: Scale | undefined): Scale {
  const value = scale?.value ?? 100;
  if ((scale?.unit ?? 'PERCENT') !== 'PERCENT') throw new InvalidParameterException('The scale unit must be PERCENT.');
  if (!(value >= 0 && value <= 100)) throw new InvalidParameterException('The scale value must be between 0 and 100.');
  return { unit: 'PERCENT', value };
}

/** A task set as ECS answers it: counts from the service's desired count and from its tasks. */
export function taskSetView(
  set: StoredTaskSet,
  at: { service: Service; tasks: readonly TaskStatuses[]; withTags: boolean },
): TaskSet {
  const counts = taskCounts(at.tasks.filter((t) => t.startedBy === set.id));
  const view: TaskSet & { clientToken?: string } = {
    ...set,
    computedDesiredCount:
      set.status === 'DRAINING' ? 0 : computedDesiredCount(at.service.desiredCount ?? 0, set.scale?.value ?? 0),
    runningCount: counts.running,
    pendingCount: counts.pending,
    createdAt: new Date(set.createdAt),
    updatedAt: new Date(set.updatedAt),
    stabilityStatusAt: new Date(set.stabilityStatusAt),
    ...(at.withTags ? { tags: set.tags ?? [] } : { tags: undefined }),
  };
  delete view.clientToken;
  return view;
}

async function viewOf(deps: TaskDeps, record: ServiceRecord, id: string, withTags = false): Promise<TaskSet> {
  const service = record.body as Service;
  const set = storedTaskSets(service).find((s) => s.id === id)!;
  const tasks = await deps.store.tasks.serviceStatuses(record.cluster, record.name);
  return taskSetView(set, { service, tasks, withTags });
}

/** The ACTIVE EXTERNAL (or CODE_DEPLOY: code-deploy-controller.ts) service a task set call names. */
function requireExternal(record: ServiceRecord): Service {
  if (record.status !== 'ACTIVE') throw new ServiceNotActiveException();
  const service = record.body as Service;
  if (!hasTaskSets(service))
    throw new InvalidParameterException('The service deployment controller type is not EXTERNAL.');
  return service;
}

function findTaskSet(service: Service, reference: string): StoredTaskSet {
  const set = storedTaskSets(service).find((s) => s.id === reference || s.taskSetArn === reference);
  if (!set) throw new TaskSetNotFoundException();
  return set;
}

export async function createTaskSet(
  deps: TaskDeps,
  input: CreateTaskSetRequest,
  context: RequestContext,
): Promise<CreateTaskSetResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const first = requireExternal(await requireService(deps, cluster.name, input.service));
  const existing = storedTaskSets(first).find((s) => input.clientToken && s.clientToken === input.clientToken);
  if (existing)
    return { taskSet: await viewOf(deps, await requireService(deps, cluster.name, input.service), existing.id) };
  const scale = checkScale(input.scale);
  const taskDefinition = await requireDefinitionArn(deps, input.taskDefinition);
  const definition = toTaskDefinition((await findTaskDefinition(deps, taskDefinition))!);
  const asRun = { ...input, taskDefinition };
  const launchType = launchTypeOf(asRun, cluster);
  checkNetwork(definition, asRun, launchType);
  await checkLoadBalancers(deps, input.loadBalancers ?? [], { definition, config: undefined });
  const id = newTaskSetId();
  const now = deps.clock.now().getTime();
  const serviceName = serviceNameOf(input.service);
  const record = await changeService(deps, cluster.name, input.service, (current) => {
    const service = requireExternal(current);
    const sets = storedTaskSets(service);
    const set: StoredTaskSet = {
      id,
      taskSetArn: formatArn('ecs', context, `task-set/${cluster.name}/${serviceName}/${id}`),
      serviceArn: current.arn,
      clusterArn: cluster.arn,
      ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
      // The first task set of a service is its primary one.
      status: sets.some((s) => s.status === 'PRIMARY') ? 'ACTIVE' : 'PRIMARY',
      taskDefinition,
      createdAt: now,
      updatedAt: now,
      ...(input.capacityProviderStrategy
        ? { capacityProviderStrategy: input.capacityProviderStrategy }
        : { launchType }),
      ...(launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
      ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
      loadBalancers: input.loadBalancers ?? [],
      serviceRegistries: [],
      scale,
      stabilityStatus: 'STABILIZING',
      stabilityStatusAt: now,
      tags: input.tags ?? [],
      ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
    };
    const next: Service = { ...service, taskSets: [...sets, set] as unknown as TaskSet[] };
    if (set.status === 'PRIMARY') next.taskDefinition = taskDefinition;
    return Promise.resolve({ ...current, body: storedService(next) });
  });
  return { taskSet: await viewOf(deps, record, id) };
}

/** Changes one task set of an EXTERNAL service (compare-and-set, as every service write). */
async function changeTaskSet(
  deps: TaskDeps,
  input: { cluster: string; service: string; taskSet: string },
  change: (set: StoredTaskSet, service: Service) => Service,
): Promise<TaskSet> {
  const cluster = await requireCluster(deps, input.cluster);
  let id = '';
  const record = await changeService(deps, cluster.name, input.service, (current) => {
    const service = requireExternal(current);
    const set = findTaskSet(service, input.taskSet);
    id = set.id;
    return Promise.resolve({ ...current, body: storedService(change(set, service)) });
  });
  return viewOf(deps, record, id);
}

function withTaskSet(service: Service, id: string, change: (set: StoredTaskSet) => StoredTaskSet): Service {
  const sets = storedTaskSets(service).map((s) => (s.id === id ? change(s) : s));
  return { ...service, taskSets: sets as unknown as TaskSet[] };
}

export async function updateTaskSet(deps: TaskDeps, input: UpdateTaskSetRequest): Promise<UpdateTaskSetResponse> {
  const scale = checkScale(input.scale);
  const now = deps.clock.now().getTime();
  const taskSet = await changeTaskSet(deps, input, (set, service) => {
    if (set.status === 'DRAINING') throw new InvalidParameterException('The task set is being deleted.');
    return withTaskSet(service, set.id, (s) => ({ ...s, scale, updatedAt: now }));
  });
  return { taskSet };
}

export async function updateServicePrimaryTaskSet(
  deps: TaskDeps,
  input: UpdateServicePrimaryTaskSetRequest,
): Promise<UpdateServicePrimaryTaskSetResponse> {
  const now = deps.clock.now().getTime();
  const target = { ...input, taskSet: input.primaryTaskSet };
  const taskSet = await changeTaskSet(deps, target, (set, service) => {
    if (set.status === 'DRAINING') throw new InvalidParameterException('The task set is being deleted.');
    const sets = storedTaskSets(service).map((s) => {
      if (s.id === set.id) return { ...s, status: 'PRIMARY', updatedAt: now };
      return s.status === 'PRIMARY' ? { ...s, status: 'ACTIVE', updatedAt: now } : s;
    });
    // The primary task set's settings become the service's (with CodeDeploy, its target groups too).
    return {
      ...service,
      taskDefinition: set.taskDefinition,
      ...(set.networkConfiguration ? { networkConfiguration: set.networkConfiguration } : {}),
      ...(isCodeDeploy(service) ? { loadBalancers: set.loadBalancers ?? [] } : {}),
      taskSets: sets as unknown as TaskSet[],
    };
  });
  return { taskSet };
}

export async function deleteTaskSet(deps: TaskDeps, input: DeleteTaskSetRequest): Promise<DeleteTaskSetResponse> {
  const now = deps.clock.now().getTime();
  const taskSet = await changeTaskSet(deps, input, (set, service) => {
    if (set.status === 'DRAINING') return service;
    if (!input.force && (set.scale?.value ?? 0) > 0)
      throw new InvalidParameterException(
        'The task set cannot be deleted while it is scaled above 0%. Scale it down to 0% first, or use force.',
      );
    return withTaskSet(service, set.id, (s) => ({
      ...s,
      status: 'DRAINING',
      stabilityStatus: 'STABILIZING',
      stabilityStatusAt: now,
      updatedAt: now,
    }));
  });
  return { taskSet };
}

export async function describeTaskSets(
  deps: TaskDeps,
  input: DescribeTaskSetsRequest,
): Promise<DescribeTaskSetsResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const record = await requireService(deps, cluster.name, input.service);
  const service = record.body as Service;
  if (!hasTaskSets(service))
    throw new InvalidParameterException('The service deployment controller type is not EXTERNAL.');
  const sets = storedTaskSets(service);
  const tasks = await deps.store.tasks.serviceStatuses(record.cluster, record.name);
  const withTags = input.include?.includes('TAGS') ?? false;
  if (input.taskSets === undefined)
    return { taskSets: sets.map((s) => taskSetView(s, { service, tasks, withTags })), failures: [] };
  const taskSets: TaskSet[] = [];
  const failures: Failure[] = [];
  for (const reference of input.taskSets) {
    const set = sets.find((s) => s.id === reference || s.taskSetArn === reference);
    if (set) taskSets.push(taskSetView(set, { service, tasks, withTags }));
    else failures.push({ arn: reference, reason: 'MISSING' });
  }
  return { taskSets, failures };
}
