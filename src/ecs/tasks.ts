import { randomBytes, randomUUID } from 'node:crypto';
import { formatArn, parseArn } from '../shared/arn.ts';
import { DEFAULT_ECS_QUOTAS } from '../shared/ecs-quotas.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ClusterRecord, TaskRecord } from '../store/index.ts';
import { MANAGED_CAPACITY } from './agent-channel.ts';
import { requireCluster } from './clusters.ts';
import { ClientException, InvalidParameterException } from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import { leaveRegistries } from './service-registries.ts';
import { placeTaskCopies } from './task-placement.ts';
import { placeManagedCopies } from './managed-capacities.ts';
import { checkNetwork, checkOverrides, launchTypeOf } from './task-validation.ts';
import { initialStatus, requestStop } from './task-lifecycle.ts';
import { effectiveContainers, reservationOf, taskNeeds } from './task-needs.ts';
import { storedTask, taskBody, toTask, type TaskPlacementDetails } from './task-records.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import type {
  Container,
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  LaunchType,
  ListTasksRequest,
  ListTasksResponse,
  NetworkBinding,
  RunTaskRequest,
  RunTaskResponse,
  StartTaskRequest,
  StartTaskResponse,
  StopTaskRequest,
  StopTaskResponse,
  Tag,
  Task,
  TaskDefinition,
} from './shapes.generated.ts';

import type { TaskDeps } from './task-deps.ts';
import { withManagedAgents } from './exec-agents.ts';

export type { TaskDeps };

export function taskArn(context: RequestContext, cluster: string, id: string): string {
  return formatArn('ecs', context, `task/${cluster}/${id}`);
}

/** A task's id given by id or ARN (task/ID or task/CLUSTER/ID). */
export function taskIdOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  return (parseArn(reference)?.resource ?? '').split('/').at(-1) ?? reference;
}

async function requireRunnableDefinition(
  deps: TaskDeps,
  reference: string,
  allowInactive = false,
): Promise<{ definition: TaskDefinition; tags: readonly Tag[] }> {
  const record = await findTaskDefinition(deps, reference);
  if (!record) throw new ClientException('Unable to find task definition.');
  if (record.status !== 'ACTIVE' && !(allowInactive && record.status === 'INACTIVE'))
    throw new ClientException('TaskDefinition is inactive');
  return { definition: toTaskDefinition(record), tags: record.tags };
}

function tagsFor(input: RunTaskRequest, definitionTags: readonly Tag[]): Tag[] {
  const tags = new Map((input.propagateTags === 'TASK_DEFINITION' ? definitionTags : []).map((t) => [t.key, t]));
  for (const tag of input.tags ?? []) tags.set(tag.key, tag);
  return [...tags.values()];
}

interface NewTask {
  readonly containerInstance?: { readonly id: string; readonly arn: string } | undefined;
  readonly bindings: readonly NetworkBinding[];
  readonly availabilityZone?: string | undefined;
  /** FARGATE among several servers: the managed capacity chosen. */
  readonly capacity?: string | undefined;
}

/** RunTask: places `count` copies (EC2) or hands them to managed capacity (FARGATE). */
/** What the service scheduler adds to a RunTask of its own. */
export interface ServiceLaunch {
  readonly serviceName: string;
  /** Services keep running revisions that were deregistered since. */
  readonly allowInactiveDefinition: boolean;
}

export async function runTask(
  deps: TaskDeps,
  input: RunTaskRequest,
  context: RequestContext,
  service?: ServiceLaunch,
): Promise<RunTaskResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const count = input.count ?? 1;
  const max = (deps.quotas ?? DEFAULT_ECS_QUOTAS).tasksPerRunTask;
  if (count < 1 || count > max) {
    throw new InvalidParameterException(`count must be between 1 and ${max}.`);
  }
  if (input.clientToken !== undefined) {
    const earlier = await deps.store.tasks.byClientToken(cluster.name, input.clientToken);
    if (earlier.length > 0) return { tasks: earlier.map((r) => toTask(r, false)), failures: [] };
  }
  const { definition, tags: definitionTags } = await requireRunnableDefinition(
    deps,
    input.taskDefinition,
    service?.allowInactiveDefinition ?? false,
  );
  checkOverrides(definition, input.overrides, input.enableExecuteCommand);
  const launchType = launchTypeOf(input, cluster);
  checkNetwork(definition, input, launchType);
  const group = input.group ?? `family:${definition.family}`;
  const containers = effectiveContainers(definition, input.overrides);
  const needs = taskNeeds({ definition, containers, overrides: input.overrides, group });
  let copies: NewTask[];
  let failures: Failure[] = [];
  if (launchType === 'FARGATE') {
    copies = (await placeManagedCopies(deps, count)).map((capacity) => ({ bindings: [], capacity }));
  } else {
    const placed = await placeTaskCopies(deps, { cluster, input, definition, needs, count });
    copies = placed.copies;
    failures = placed.failures;
  }
  const tags = tagsFor(input, definitionTags);
  const records = copies.map((copy) =>
    newTaskRecord(deps, context, {
      cluster,
      input,
      definition,
      containers,
      launchType,
      group,
      needs,
      copy,
      tags,
      serviceName: service?.serviceName,
    }),
  );
  await deps.store.tasks.insert(records);
  notifyAssignees(deps, records);
  return { tasks: records.map((r) => toTask(r, false)), failures };
}

/** StartTask: the task on each named container instance, no placement strategy. */
export async function startTask(
  deps: TaskDeps,
  input: StartTaskRequest,
  context: RequestContext,
  service?: ServiceLaunch,
): Promise<StartTaskResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const max = (deps.quotas ?? DEFAULT_ECS_QUOTAS).tasksPerRunTask;
  if (input.containerInstances.length < 1 || input.containerInstances.length > max) {
    throw new InvalidParameterException(`containerInstances must have between 1 and ${max} items.`);
  }
  const { definition, tags: definitionTags } = await requireRunnableDefinition(
    deps,
    input.taskDefinition,
    service?.allowInactiveDefinition ?? false,
  );
  const runInput: RunTaskRequest = { ...input, launchType: 'EC2' };
  checkOverrides(definition, input.overrides, input.enableExecuteCommand);
  checkNetwork(definition, runInput, 'EC2');
  const group = input.group ?? `family:${definition.family}`;
  const containers = effectiveContainers(definition, input.overrides);
  const needs = taskNeeds({ definition, containers, overrides: input.overrides, group });
  const placed = await placeTaskCopies(deps, {
    cluster,
    input: runInput,
    definition,
    needs,
    count: input.containerInstances.length,
    onInstances: input.containerInstances,
  });
  const tags = tagsFor(runInput, definitionTags);
  const records = placed.copies.map((copy) =>
    newTaskRecord(deps, context, {
      cluster,
      input: runInput,
      definition,
      containers,
      launchType: 'EC2',
      group,
      needs,
      copy,
      tags,
      serviceName: service?.serviceName,
    }),
  );
  await deps.store.tasks.insert(records);
  notifyAssignees(deps, records);
  return { tasks: records.map((r) => toTask(r, false)), failures: placed.failures };
}

function newTaskRecord(
  deps: TaskDeps,
  context: RequestContext,
  options: {
    cluster: ClusterRecord;
    input: RunTaskRequest;
    definition: TaskDefinition;
    containers: ReturnType<typeof effectiveContainers>;
    launchType: LaunchType;
    group: string;
    needs: ReturnType<typeof taskNeeds>;
    copy: NewTask;
    tags: Tag[];
    serviceName?: string | undefined;
  },
): TaskRecord {
  const { cluster, input, definition, copy } = options;
  const id = randomBytes(16).toString('hex');
  const arn = taskArn(context, cluster.name, id);
  const lastStatus = initialStatus(definition.networkMode);
  const now = deps.clock.now();
  const containers: Container[] = options.containers.map((c) => ({
    containerArn: formatArn('ecs', context, `container/${cluster.name}/${id}/${randomUUID()}`),
    taskArn: arn,
    name: c.name,
    image: c.image,
    lastStatus: 'PENDING',
    networkInterfaces: [],
    ...(c.cpu !== undefined ? { cpu: String(c.cpu) } : {}),
    ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: String(c.memoryReservation) } : {}),
    ...(c.healthCheck ? { healthStatus: 'UNKNOWN' as const } : {}),
  }));
  const bindingsByContainer: Record<string, NetworkBinding[]> = {};
  copy.bindings.forEach((binding, index) => {
    const name = options.needs.ports[index]!.containerName;
    (bindingsByContainer[name] ??= []).push(binding);
  });
  const awsvpc = input.networkConfiguration?.awsvpcConfiguration;
  const task: Task = {
    taskArn: arn,
    clusterArn: cluster.arn,
    taskDefinitionArn: definition.taskDefinitionArn!,
    ...(copy.containerInstance ? { containerInstanceArn: copy.containerInstance.arn } : {}),
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...input.overrides },
    lastStatus,
    desiredStatus: 'RUNNING',
    cpu: String(options.needs.cpu),
    memory: String(options.needs.memory),
    containers,
    ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
    version: 1,
    createdAt: now,
    group: options.group,
    launchType: options.launchType,
    ...(options.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    attachments: awsvpc
      ? [
          {
            id: randomUUID(),
            type: 'ElasticNetworkInterface',
            status: 'PRECREATED',
            details: [{ name: 'subnetId', value: awsvpc.subnets[0] }],
          },
        ]
      : [],
    attributes: [],
    healthStatus: 'UNKNOWN',
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    availabilityZone: copy.availabilityZone ?? `${context.region}a`,
    tags: options.tags,
    inferenceAccelerators: [],
  };
  const details: TaskPlacementDetails = {
    networkMode: definition.networkMode ?? 'bridge',
    revision: definition.revision ?? 0,
    bindings: bindingsByContainer,
    essentialContainers: options.containers.filter((c) => c.essential !== false).map((c) => c.name ?? ''),
    ...(awsvpc ? { subnets: awsvpc.subnets, securityGroups: awsvpc.securityGroups ?? [] } : {}),
  };
  return {
    id,
    cluster: cluster.name,
    arn,
    family: definition.family!,
    containerInstance: copy.containerInstance?.id,
    launchType: options.launchType,
    startedBy: input.startedBy,
    serviceName: options.serviceName,
    group: options.group,
    desiredStatus: 'RUNNING',
    lastStatus,
    createdAt: now,
    clientToken: input.clientToken,
    reservation: {
      ...reservationOf(options.needs, copy.bindings),
      ...(copy.capacity !== undefined ? { capacity: copy.capacity } : {}),
    },
    body: taskBody(task, details),
  };
}

function notifyAssignees(deps: TaskDeps, records: readonly TaskRecord[]): void {
  for (const key of new Set(records.map((r) => r.containerInstance ?? MANAGED_CAPACITY))) deps.agents.notify(key);
}

/** StopTask; `beforeStop` answers true when it took a service task out of rotation (DEACTIVATING until drained). */
export async function stopTask(
  deps: TaskDeps,
  input: StopTaskRequest,
  beforeStop?: (cluster: string, taskId: string) => Promise<boolean>,
): Promise<StopTaskResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  if (input.reason !== undefined && input.reason.length > 255) {
    throw new InvalidParameterException('reason can be at most 255 characters long.');
  }
  const id = taskIdOf(input.task);
  const deactivate = (await beforeStop?.(cluster.name, id)) ?? false;
  const reason = input.reason ?? 'Task stopped by user';
  const record = await requestTaskStop(deps, cluster.name, id, { stopCode: 'UserInitiated', reason, deactivate });
  return { task: toTask(record, false) };
}

/** Asks a task to stop (desiredStatus STOPPED) and tells its agent; a task already asked keeps its first reason. */
export function requestTaskStop(
  deps: TaskDeps,
  cluster: string,
  id: string,
  why: {
    stopCode: 'UserInitiated' | 'ServiceSchedulerInitiated';
    reason: string;
    /** A RUNNING task behind a load balancer: DEACTIVATING until its targets drained (finishDeactivation). */
    deactivate?: boolean;
  },
): Promise<TaskRecord> {
  return deps.taskLocks.run(id, async () => {
    const [record] = await deps.store.tasks.get(cluster, [id]);
    if (!record) throw new InvalidParameterException('The referenced task was not found.');
    if (record.desiredStatus === 'STOPPED') return record;
    const { task, details } = storedTask(record);
    const next = requestStop({ lastStatus: record.lastStatus as never, desiredStatus: 'RUNNING' });
    const lastStatus = why.deactivate && record.lastStatus === 'RUNNING' ? 'DEACTIVATING' : record.lastStatus;
    const updated: TaskRecord = {
      ...record,
      desiredStatus: next.desiredStatus,
      lastStatus,
      body: taskBody(
        {
          ...task,
          lastStatus,
          desiredStatus: 'STOPPED',
          stopCode: why.stopCode,
          stoppedReason: why.reason,
          stoppingAt: deps.clock.now(),
          version: (task.version ?? 0) + 1,
        },
        details,
      ),
    };
    await deps.store.tasks.update(updated);
    // Out of Cloud Map before its agent hears of the stop (and sends SIGTERM), as ECS does it.
    await leaveRegistries(deps, updated);
    notifyAssignees(deps, [updated]);
    return updated;
  });
}

/** A DEACTIVATING task's targets have drained: STOPPING, and its agent now stops its containers. */
export function finishDeactivation(deps: TaskDeps, cluster: string, id: string): Promise<void> {
  return deps.taskLocks.run(id, async () => {
    const [record] = await deps.store.tasks.get(cluster, [id]);
    if (record?.lastStatus !== 'DEACTIVATING') return;
    const { task, details } = storedTask(record);
    const updated: TaskRecord = {
      ...record,
      lastStatus: 'STOPPING',
      body: taskBody({ ...task, lastStatus: 'STOPPING', version: (task.version ?? 0) + 1 }, details),
    };
    await deps.store.tasks.update(updated);
    notifyAssignees(deps, [updated]);
  });
}

export async function describeTasks(
  deps: TaskDeps,
  input: DescribeTasksRequest,
  context: RequestContext,
): Promise<DescribeTasksResponse> {
  // ECS's words for an empty list, before it looks at the cluster.
  if (input.tasks.length === 0) throw new InvalidParameterException('Tasks cannot be empty.');
  const cluster = await requireCluster(deps, input.cluster);
  if (input.tasks.length > 100) throw new InvalidParameterException('tasks can have at most 100 items.');
  const ids = input.tasks.map(taskIdOf);
  const found = new Map((await deps.store.tasks.get(cluster.name, ids)).map((r) => [r.id, r]));
  const withTags = input.include?.includes('TAGS') ?? false;
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  for (const [i, id] of ids.entries()) {
    const record = found.get(id);
    if (record) tasks.push(await withManagedAgents(deps, record, toTask(record, withTags)));
    else {
      const reference = input.tasks[i]!;
      failures.push({
        arn: reference.startsWith('arn:') ? reference : taskArn(context, cluster.name, id),
        reason: 'MISSING',
      });
    }
  }
  return { tasks, failures };
}

export async function listTasks(deps: TaskDeps, input: ListTasksRequest): Promise<ListTasksResponse> {
  const cluster = await requireCluster(deps, input.cluster);
  const limit = pageSize(input.maxResults);
  if (input.family !== undefined && input.serviceName !== undefined) {
    throw new InvalidParameterException('family and serviceName cannot both be specified.');
  }
  const rows = await deps.store.tasks.list(
    cluster.name,
    {
      containerInstance: input.containerInstance === undefined ? undefined : taskIdOf(input.containerInstance),
      family: input.family,
      startedBy: input.startedBy,
      serviceName: input.serviceName,
      desiredStatus: input.desiredStatus ?? 'RUNNING',
      launchType: input.launchType,
    },
    { after: decodeNextToken(input.nextToken), limit: limit + 1 },
  );
  const page = rows.slice(0, limit);
  return {
    taskArns: page.map((r) => r.arn),
    ...(rows.length > limit ? { nextToken: encodeNextToken(page.at(-1)!.id) } : {}),
  };
}
