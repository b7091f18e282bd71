import type { TaskRecord } from '../store/index.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { MANAGED_CAPACITY } from './agent-channel.ts';
import { requireCluster } from './clusters.ts';
import { InvalidParameterException, TargetNotConnectedException } from './errors.ts';
import type { ExecSession, ExecSessions } from './exec-sessions.ts';
import { storedTask } from './task-records.ts';
import { toTaskDefinition } from './task-definitions.ts';
import { effectiveContainers } from './task-needs.ts';
import type { TaskDeps } from './task-deps.ts';
import { hostCanExec, managedAgentsOf } from './exec-agents.ts';
import { taskIdOf } from './tasks.ts';
import type {
  Container,
  ExecuteCommandConfiguration,
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  Task,
} from './shapes.generated.ts';

/** What ECS Exec needs besides the tasks: the server's sessions and what it knows of its hosts and roles. */
export interface ExecuteCommandSupport {
  readonly sessions: ExecSessions;
  /** Whether managed (FARGATE) capacity's runtime can run a command in a container. */
  managedCanExec(): boolean;
  /** Whether a task role lets the task's SSM agent open its channels (ssmmessages:*), as the policy evaluator decides. */
  roleOpensChannels(roleArn: string): Promise<boolean>;
  /** Makes the session visible (audit, SSM's session history): awaited once it is open, before the answer. */
  opened?(session: ExecSession): Promise<void> | void;
  /** TerminateSession: ends a session live on this server; whether it was. */
  terminate?(sessionId: string): boolean;
  /** Where the session's stream URL points: the host the caller addressed, and whether it came over TLS. */
  streamUrl(sessionId: string, context: RequestContext): string;
}

// ECS's words (the AWS CLI's error output, quoted in many public reports).
const NOT_ENABLED =
  'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.';
const INTERNAL = 'The execute command failed due to an internal error. Try again later.';

/**
 * ECS ExecuteCommand: opens a session in a container of a RUNNING task started with
 * enableExecuteCommand, whose ExecuteCommandAgent runs; the task role must let the agent open its
 * channels. The answer names the stream the Session Manager plugin opens with the session's token;
 * the task's agent hears of the session in its next poll (woken now) and joins the same stream.
 */
export async function executeCommand(
  deps: TaskDeps,
  input: ExecuteCommandRequest,
  context: RequestContext,
): Promise<ExecuteCommandResponse> {
  if (!input.interactive) throw new InvalidParameterException('Interactive is the only mode supported currently.');
  const support = deps.execute;
  const cluster = await requireCluster(deps, input.cluster);
  const [record] = await deps.store.tasks.get(cluster.name, [taskIdOf(input.task)]);
  if (!record) throw new InvalidParameterException('The referenced task was not found.');
  const { task } = storedTask(record);
  const container = chosenContainer(task, input.container);
  if (!support || !task.enableExecuteCommand) throw new InvalidParameterException(NOT_ENABLED);
  const [agent] = managedAgentsOf(task, container, await hostCanExec(deps, record));
  if (agent?.lastStatus !== 'RUNNING') throw new InvalidParameterException(NOT_ENABLED);
  const roleArn = task.overrides?.taskRoleArn ?? (await definitionOf(deps, record))?.taskRoleArn;
  // On ECS the task's SSM agent cannot connect without these permissions, and the call fails so.
  if (roleArn === undefined || !(await support.roleOpensChannels(roleArn)))
    throw new TargetNotConnectedException(INTERNAL);
  const { session, token } = support.sessions.open({
    cluster: cluster.name,
    taskArn: record.arn,
    containerName: container.name!,
    containerArn: container.containerArn!,
    containerRuntimeId: container.runtimeId ?? '',
    command: input.command,
    interactive: true,
    agentKey: record.containerInstance ?? MANAGED_CAPACITY,
    logGroup: await sessionLogGroup(deps, record, container.name!, cluster.details.configuration),
    principalArn: context.principal.arn,
  });
  await support.opened?.(session);
  deps.agents.notify(session.agentKey);
  return {
    clusterArn: cluster.arn,
    containerArn: session.containerArn,
    containerName: session.containerName,
    interactive: true,
    session: {
      sessionId: session.sessionId,
      streamUrl: support.streamUrl(session.sessionId, context),
      tokenValue: token,
    },
    taskArn: record.arn,
  };
}

function chosenContainer(task: Task, name: string | undefined): Container {
  const containers = task.containers ?? [];
  if (name === undefined) {
    if (containers.length === 1) return containers[0]!;
    throw new InvalidParameterException('A container name must be specified for a task with more than one container.');
  }
  const found = containers.find((c) => c.name === name);
  if (!found) throw new InvalidParameterException(`The container ${name} does not exist in the task.`);
  return found;
}

async function definitionOf(deps: TaskDeps, record: TaskRecord) {
  const { details } = storedTask(record);
  const stored = await deps.store.taskDefinitions.get(record.family, details.revision);
  return stored ? toTaskDefinition(stored) : undefined;
}

/**
 * Where the session's output goes (executeCommandConfiguration.logging): DEFAULT, the container's
 * awslogs group (nothing without one); OVERRIDE, logConfiguration.cloudWatchLogGroupName; NONE,
 * nowhere. The stream is named by the session, as ECS names it.
 */
async function sessionLogGroup(
  deps: TaskDeps,
  record: TaskRecord,
  containerName: string,
  configuration: unknown,
): Promise<string | undefined> {
  const execute = (configuration as { executeCommandConfiguration?: ExecuteCommandConfiguration } | undefined)
    ?.executeCommandConfiguration;
  const logging = execute?.logging ?? 'DEFAULT';
  if (logging === 'NONE') return undefined;
  if (logging === 'OVERRIDE') return execute?.logConfiguration?.cloudWatchLogGroupName;
  const definition = await definitionOf(deps, record);
  if (!definition) return undefined;
  const { task } = storedTask(record);
  const container = effectiveContainers(definition, task.overrides).find((c) => c.name === containerName);
  const options = container?.logConfiguration?.logDriver === 'awslogs' ? container.logConfiguration.options : undefined;
  return options?.['awslogs-group'] || undefined;
}
