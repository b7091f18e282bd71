import type { TaskRecord } from '../store/index.ts';
import { MANAGED_CAPACITY } from './agent-channel.ts';
import { runsOnCapacity } from './managed-capacities.ts';
import { requireCluster } from './clusters.ts';
import { InvalidParameterException } from './errors.ts';
import { effectiveContainers } from './task-needs.ts';
import { storedTask } from './task-records.ts';
import { toTaskDefinition } from './task-definitions.ts';
import type { TaskDeps } from './tasks.ts';
import type { ContainerDefinition, NetworkBinding, Volume } from './shapes.generated.ts';

/** One task as an agent needs it to run it: everything, resolved (docs/agent-channel.md). */
export interface TaskAssignment {
  readonly cluster: string;
  readonly clusterArn: string;
  readonly taskArn: string;
  readonly desiredStatus: string;
  readonly lastStatus: string;
  readonly launchType: string;
  readonly family: string;
  readonly revision: number;
  readonly networkMode: string;
  /** Task-level CPU units and MiB (FARGATE tasks get these as limits). */
  readonly cpu: number;
  readonly memory: number;
  /** The containers with the task's overrides applied. */
  readonly containers: readonly ContainerDefinition[];
  readonly volumes: readonly Volume[];
  /** Host ports the placement gave each container (bridge, host). */
  readonly bindings: Readonly<Record<string, readonly NetworkBinding[]>>;
  readonly subnets: readonly string[];
  readonly createdAt: string;
  /** The containers' ARNs by name, as DescribeTasks shows them (the task metadata endpoint's ContainerARN). */
  readonly containerArns?: Readonly<Record<string, string>>;
  /** The task's IAM role (its overrides' or its definition's): the agent's endpoints act only for a task with one. */
  readonly taskRoleArn?: string | undefined;
  /** The role the agent pulls images, ships awslogs and reads secrets with (overrides' or definition's). */
  readonly executionRoleArn?: string | undefined;
}

export interface PollRequest {
  readonly cluster?: string | undefined;
  /** The instance's id or ARN; absent for managed capacity. */
  readonly containerInstance?: string | undefined;
  readonly managed?: boolean | undefined;
  /** Managed capacity among several servers: its name (it runs the FARGATE tasks placed on it). */
  readonly capacity?: string | undefined;
  /** The token of the last answer; a poll without one returns at once. */
  readonly token?: string | undefined;
  readonly waitMs: number;
}

/** An ECS Exec session an agent is to join: a command to run in one of its tasks' containers. */
export interface ExecSessionAssignment {
  readonly sessionId: string;
  readonly taskArn: string;
  readonly containerName: string;
  readonly command: string;
  readonly interactive: boolean;
  /** Where the session's output is logged (CloudWatch Logs), if anywhere. */
  readonly log?: { readonly group: string; readonly stream: string } | undefined;
}

export interface PollResponse {
  readonly token: string;
  readonly tasks: readonly TaskAssignment[];
  /** The ECS Exec sessions this agent has yet to join (listed until it joins or they expire). */
  readonly execSessions?: readonly ExecSessionAssignment[];
}

/**
 * An agent's long poll: waits until the tasks assigned to it changed since `token` (or the wait
 * ends), then answers every task on it that is not STOPPED yet. Level-triggered: the agent
 * reconciles against the whole list, so a lost answer costs nothing.
 */
export async function pollAssignments(deps: TaskDeps, request: PollRequest): Promise<PollResponse> {
  let key: string;
  if (request.managed) key = MANAGED_CAPACITY;
  else {
    const cluster = await requireCluster(deps, request.cluster);
    const id = (request.containerInstance ?? '').split('/').at(-1) ?? '';
    const [instance] = await deps.store.containerInstances.get(cluster.name, [id]);
    if (!instance || instance.status === 'INACTIVE')
      throw new InvalidParameterException('The referenced container instance is not registered in this cluster.');
    key = id;
    deps.agents.touch(id);
  }
  await deps.agents.changed(key, request.token, request.waitMs);
  if (key !== MANAGED_CAPACITY) deps.agents.touch(key);
  const token = deps.agents.token(key);
  const records = await deps.store.tasks.unstopped(
    key === MANAGED_CAPACITY ? { managed: true } : { containerInstance: key },
  );
  const tasks: TaskAssignment[] = [];
  for (const record of records) {
    if (key === MANAGED_CAPACITY && !runsOnCapacity(record, request.capacity)) continue;
    const assignment = await assignmentOf(deps, record);
    if (assignment) tasks.push(assignment);
  }
  // Among several managed capacities, each joins the sessions of the tasks it runs only.
  const runsHere = (taskArn: string) => request.capacity === undefined || tasks.some((t) => t.taskArn === taskArn);
  const pending = (deps.execute?.sessions.pending(key) ?? []).filter((session) => runsHere(session.taskArn));
  const execSessions = pending.map(({ sessionId, taskArn, containerName, command, interactive, log }) => ({
    sessionId,
    taskArn,
    containerName,
    command,
    interactive,
    ...(log ? { log } : {}),
  }));
  return { token, tasks, execSessions };
}

async function assignmentOf(deps: TaskDeps, record: TaskRecord): Promise<TaskAssignment | undefined> {
  const { task, details } = storedTask(record);
  const definitionRecord = await deps.store.taskDefinitions.get(record.family, details.revision);
  if (!definitionRecord) return undefined;
  const definition = toTaskDefinition(definitionRecord);
  return {
    cluster: record.cluster,
    clusterArn: task.clusterArn!,
    taskArn: record.arn,
    // A DEACTIVATING task keeps running until its load balancer targets drained.
    desiredStatus: record.lastStatus === 'DEACTIVATING' ? 'RUNNING' : record.desiredStatus,
    lastStatus: record.lastStatus,
    launchType: record.launchType,
    family: record.family,
    revision: details.revision,
    networkMode: details.networkMode,
    cpu: record.reservation.cpu,
    memory: record.reservation.memory,
    containers: effectiveContainers(definition, task.overrides),
    volumes: definition.volumes ?? [],
    bindings: details.bindings,
    subnets: details.subnets ?? [],
    createdAt: record.createdAt.toISOString(),
    containerArns: Object.fromEntries(
      (task.containers ?? []).flatMap((c) => (c.name && c.containerArn ? [[c.name, c.containerArn]] : [])),
    ),
    taskRoleArn: task.overrides?.taskRoleArn ?? definition.taskRoleArn,
    executionRoleArn: task.overrides?.executionRoleArn ?? definition.executionRoleArn,
  };
}
