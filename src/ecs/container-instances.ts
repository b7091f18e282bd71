import { randomBytes } from 'node:crypto';
import { formatArn, parseArn } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ContainerInstanceRecord, MetadataStore } from '../store/index.ts';
import {
  evaluateExpression,
  parseExpression,
  QueryParseError,
  type EvaluationTarget,
  type Expression,
} from '../scheduler/index.ts';
import type { AgentChannel } from './agent-channel.ts';
import { requireCluster } from './clusters.ts';
import { pendingAndRunning } from './task-lifecycle.ts';
import { remainingResources } from './task-needs.ts';
import { ClientException, InvalidParameterException } from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import type {
  Attribute,
  ContainerInstance,
  DeregisterContainerInstanceRequest,
  DeregisterContainerInstanceResponse,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  Failure,
  ListContainerInstancesRequest,
  ListContainerInstancesResponse,
  RegisterContainerInstanceRequest,
  RegisterContainerInstanceResponse,
  Resource,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
} from './shapes.generated.ts';
import { revokeTaskCredentials, type TaskRoleSessions } from './task-credentials.ts';

export interface ContainerInstanceDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly agents: AgentChannel;
  readonly roleSessions?: TaskRoleSessions | undefined;
}

/** Ports the ECS agent reserves on every instance (SSH, the Docker API, the agent's own). */
const DEFAULT_RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];

function instanceArn(context: RequestContext, cluster: string, id: string): string {
  return formatArn('ecs', context, `container-instance/${cluster}/${id}`);
}

/** The id of a container instance given by id or ARN (both forms of ARN: with and without the cluster). */
export function instanceIdOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  const resource = parseArn(reference)?.resource ?? '';
  return resource.split('/').at(-1) ?? reference;
}

function resourcesOf(total: readonly Resource[] | undefined): Resource[] {
  const byName = new Map((total ?? []).map((r) => [r.name, r]));
  const get = (name: string, fallback: Resource): Resource => ({ ...fallback, ...(byName.get(name) ?? {}) });
  return [
    get('CPU', { name: 'CPU', type: 'INTEGER', integerValue: 1024, longValue: 0, doubleValue: 0 }),
    get('MEMORY', { name: 'MEMORY', type: 'INTEGER', integerValue: 1024, longValue: 0, doubleValue: 0 }),
    get('PORTS', {
      name: 'PORTS',
      type: 'STRINGSET',
      stringSetValue: DEFAULT_RESERVED_PORTS,
      longValue: 0,
      doubleValue: 0,
      integerValue: 0,
    }),
    get('PORTS_UDP', {
      name: 'PORTS_UDP',
      type: 'STRINGSET',
      stringSetValue: [],
      longValue: 0,
      doubleValue: 0,
      integerValue: 0,
    }),
    ...[...byName.values()].filter((r) => !['CPU', 'MEMORY', 'PORTS', 'PORTS_UDP'].includes(r.name ?? '')),
  ];
}

/** The built-in attributes ECS reports for every instance, from its identity document. */
function builtInAttributes(identity: Record<string, unknown>): Attribute[] {
  const pairs: [string, unknown][] = [
    ['ecs.availability-zone', identity.availabilityZone],
    ['ecs.instance-type', identity.instanceType],
    ['ecs.ami-id', identity.imageId],
    ['ecs.os-type', 'linux'],
    ['ecs.cpu-architecture', identity.architecture === 'arm64' ? 'arm64' : 'x86_64'],
  ];
  return pairs
    .filter(([, v]) => typeof v === 'string' && v !== '')
    .map(([name, value]) => ({ name, value: value as string }));
}

export async function registerContainerInstance(
  deps: ContainerInstanceDeps,
  input: RegisterContainerInstanceRequest,
  context: RequestContext,
): Promise<RegisterContainerInstanceResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  let identity: Record<string, unknown> = {};
  if (input.instanceIdentityDocument !== undefined) {
    try {
      identity = JSON.parse(input.instanceIdentityDocument) as Record<string, unknown>;
    } catch {
      throw new ClientException('The instance identity document is not valid JSON.');
    }
  }
  // Re-registration (the agent restarting) keeps the instance's id and ARN.
  const id =
    input.containerInstanceArn !== undefined
      ? instanceIdOf(input.containerInstanceArn)
      : randomBytes(16).toString('hex');
  const [existing] = await deps.store.containerInstances.get(cluster.name, [id]);
  if (input.containerInstanceArn !== undefined && !existing)
    throw new InvalidParameterException('The referenced container instance does not exist in this cluster.');
  const registered = resourcesOf(input.totalResources);
  const custom = (input.attributes ?? []).filter(
    (a) => !a.name.startsWith('ecs.') || a.name.startsWith('ecs.capability.'),
  );
  const attributes = new Map(
    [...builtInAttributes(identity), ...custom].map((a) => [
      a.name,
      { name: a.name, ...(a.value !== undefined ? { value: a.value } : {}) },
    ]),
  );
  const body: ContainerInstance = {
    ec2InstanceId:
      (typeof identity.instanceId === 'string' ? identity.instanceId : undefined) ??
      (existing?.body.ec2InstanceId as string | undefined) ??
      `i-${randomBytes(9).toString('hex').slice(0, 17)}`,
    version: Number((existing?.body.version as number | undefined) ?? 0) + 1,
    versionInfo: input.versionInfo ?? {},
    registeredResources: registered,
    remainingResources: registered,
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    attributes: [...attributes.values()],
    registeredAt: deps.clock.now(),
    tags: input.tags ?? (existing?.body.tags as ContainerInstance['tags']) ?? [],
    attachments: [],
  };
  const record: ContainerInstanceRecord = {
    id,
    cluster: cluster.name,
    arn: instanceArn(context, cluster.name, id),
    status: 'ACTIVE',
    registeredAt: existing?.registeredAt ?? deps.clock.now(),
    body: serialize(body),
  };
  await deps.store.containerInstances.put(record);
  deps.agents.touch(id);
  return { containerInstance: await liveInstance(deps, record, true) };
}

function serialize(instance: ContainerInstance): Record<string, unknown> {
  return { ...instance, registeredAt: instance.registeredAt?.getTime() };
}

/** The instance with what changes without a write: connectivity, task counts, remaining resources. */
async function liveInstance(
  deps: ContainerInstanceDeps,
  record: ContainerInstanceRecord,
  withTags: boolean,
): Promise<ContainerInstance> {
  const instance = toContainerInstance(record, withTags);
  if (record.status === 'INACTIVE') return { ...instance, agentConnected: false };
  const tasks = await deps.store.tasks.unstopped({ containerInstance: record.id });
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.lastStatus, (counts.get(task.lastStatus) ?? 0) + 1);
  const { pending, running } = pendingAndRunning(counts);
  return {
    ...instance,
    agentConnected: deps.agents.isConnected(record.id),
    runningTasksCount: running,
    pendingTasksCount: pending,
    remainingResources: remainingResources(instance.registeredResources ?? [], tasks),
  };
}

export function toContainerInstance(record: ContainerInstanceRecord, withTags: boolean): ContainerInstance {
  const { tags, registeredAt, ...body } = record.body as ContainerInstance & { registeredAt?: number };
  return {
    ...body,
    containerInstanceArn: record.arn,
    status: record.status,
    ...(typeof registeredAt === 'number' ? { registeredAt: new Date(registeredAt) } : {}),
    ...(withTags ? { tags: tags ?? [] } : {}),
  };
}

export async function describeContainerInstances(
  deps: ContainerInstanceDeps,
  input: DescribeContainerInstancesRequest,
  context: RequestContext,
): Promise<DescribeContainerInstancesResponse> {
  // ECS's words for an empty list, before it looks at the cluster.
  if (input.containerInstances.length === 0) throw new InvalidParameterException('Container instance cannot be empty.');
  const cluster = await requireCluster(deps, input.cluster);
  if (input.containerInstances.length > 100)
    throw new InvalidParameterException('containerInstances can have at most 100 items.');
  const ids = input.containerInstances.map(instanceIdOf);
  const found = new Map((await deps.store.containerInstances.get(cluster.name, ids)).map((r) => [r.id, r]));
  const instances: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const [i, id] of ids.entries()) {
    const record = found.get(id);
    if (record) instances.push(await liveInstance(deps, record, input.include?.includes('TAGS') ?? false));
    else
      failures.push({
        arn: input.containerInstances[i]!.startsWith('arn:')
          ? input.containerInstances[i]!
          : instanceArn(context, cluster.name, id),
        reason: 'MISSING',
      });
  }
  return { containerInstances: instances, failures };
}

export async function listContainerInstances(
  deps: ContainerInstanceDeps,
  input: ListContainerInstancesRequest,
): Promise<ListContainerInstancesResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const filter = input.filter === undefined ? undefined : parseFilter(input.filter);
  const limit = pageSize(input.maxResults);
  const after = decodeNextToken(input.nextToken);
  let rows: ContainerInstanceRecord[];
  if (filter) {
    // The filter is evaluated on the instances in id order; the page is cut from the matches.
    const all = await deps.store.containerInstances.list(cluster.name, { status: input.status, after, limit: 100_000 });
    const groups = new Map<string, string[]>();
    for (const task of await deps.store.tasks.unstopped({ cluster: cluster.name })) {
      if (task.containerInstance === undefined) continue;
      groups.set(task.containerInstance, [...(groups.get(task.containerInstance) ?? []), task.group]);
    }
    rows = all
      .filter((r) => evaluateExpression(filter, filterTarget(r, groups.get(r.id) ?? [], deps.agents.isConnected(r.id))))
      .slice(0, limit + 1);
  } else {
    rows = await deps.store.containerInstances.list(cluster.name, { status: input.status, after, limit: limit + 1 });
  }
  const page = rows.slice(0, limit);
  return {
    containerInstanceArns: page.map((r) => r.arn),
    ...(rows.length > limit ? { nextToken: encodeNextToken(page.at(-1)!.id) } : {}),
  };
}

function parseFilter(filter: string): Expression {
  try {
    return parseExpression(filter);
  } catch (error) {
    if (error instanceof QueryParseError) throw new InvalidParameterException(`Invalid filter: ${error.message}`);
    throw error;
  }
}

/** What the cluster query language sees of a stored instance. */
function filterTarget(
  record: ContainerInstanceRecord,
  taskGroups: readonly string[],
  agentConnected: boolean,
): EvaluationTarget {
  const instance = toContainerInstance(record, false);
  return {
    attributes: new Map((instance.attributes ?? []).map((a) => [a.name, a.value])),
    agentConnected,
    ...(instance.versionInfo?.agentVersion ? { agentVersion: instance.versionInfo.agentVersion } : {}),
    ...(instance.ec2InstanceId ? { ec2InstanceId: instance.ec2InstanceId } : {}),
    ...(instance.registeredAt ? { registeredAt: instance.registeredAt } : {}),
    runningTasksCount: taskGroups.length,
    taskGroups: [...new Set(taskGroups)],
  };
}

export async function updateContainerInstancesState(
  deps: ContainerInstanceDeps,
  input: UpdateContainerInstancesStateRequest,
  context: RequestContext,
): Promise<UpdateContainerInstancesStateResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  if (input.status !== 'ACTIVE' && input.status !== 'DRAINING') {
    throw new InvalidParameterException('Container instance status can only be updated to ACTIVE or DRAINING.');
  }
  const described = await describeContainerInstances(
    deps,
    { cluster: cluster.name, containerInstances: input.containerInstances },
    context,
  );
  const updated: ContainerInstance[] = [];
  for (const instance of described.containerInstances ?? []) {
    const [record] = await deps.store.containerInstances.get(cluster.name, [
      instanceIdOf(instance.containerInstanceArn!),
    ]);
    if (!record || record.status === 'INACTIVE') continue;
    // Draining: the service scheduler replaces the instance's service tasks elsewhere; no new placements.
    const next = { ...record, status: input.status };
    await deps.store.containerInstances.put(next);
    updated.push(await liveInstance(deps, next, false));
  }
  return { containerInstances: updated, failures: described.failures ?? [] };
}

/**
 * Deregisters an instance (INACTIVE). AWS refuses one with tasks that are not stopped unless
 * `force`; with force its tasks are orphaned: Berth marks them STOPPED, and the instance's agent,
 * told it is deregistered at its next poll, stops their containers.
 */
export async function deregisterContainerInstance(
  deps: ContainerInstanceDeps,
  input: DeregisterContainerInstanceRequest,
): Promise<DeregisterContainerInstanceResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const [record] = await deps.store.containerInstances.get(cluster.name, [instanceIdOf(input.containerInstance)]);
  if (!record || record.status === 'INACTIVE')
    throw new InvalidParameterException('The referenced container instance is not registered in this cluster.');
  const tasks = await deps.store.tasks.unstopped({ containerInstance: record.id });
  if (tasks.length > 0 && !input.force) throw new InvalidParameterException('Found running tasks on the instance.');
  const now = deps.clock.now();
  const orphaned = tasks.map((task) => ({
    ...task,
    desiredStatus: 'STOPPED',
    lastStatus: 'STOPPED',
    stoppedAt: now,
    body: {
      ...task.body,
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'Container instance deregistration forced by user',
      stoppingAt: now.getTime(),
      stoppedAt: now.getTime(),
      executionStoppedAt: now.getTime(),
    },
  }));
  const next = { ...record, status: 'INACTIVE', body: { ...record.body, agentConnected: false } };
  // The instance and its orphaned tasks change together, or not at all.
  await deps.store.containerInstances.deregister(next, orphaned);
  await revokeTaskCredentials(
    deps,
    orphaned.map((task) => task.arn),
  );
  deps.agents.notify(record.id);
  return { containerInstance: await liveInstance(deps, next, false) };
}
