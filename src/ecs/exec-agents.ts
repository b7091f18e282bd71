import type { TaskRecord } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import { findTaskDefinition, toTaskDefinition } from './task-definitions.ts';
import type { TaskDeps } from './task-deps.ts';
import type { Container, ManagedAgent, Task } from './shapes.generated.ts';

/** The attribute an agent registers when its runtime can run a command in a container (ECS's name). */
export const EXECUTE_COMMAND_CAPABILITY = 'ecs.capability.execute-command';

/**
 * A container's ExecuteCommandAgent, as DescribeTasks shows it for a task started with
 * enableExecuteCommand: RUNNING while the container runs on a host able to exec (it advertises
 * ecs.capability.execute-command; managed capacity when its runtime can), STOPPED once the task or
 * the container stops after it ran, else PENDING. No agent for other tasks.
 */
export function managedAgentsOf(task: Task, container: Container, hostCanExec: boolean): ManagedAgent[] {
  if (!task.enableExecuteCommand) return [];
  const started = task.startedAt;
  const stopping = ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'].includes(task.lastStatus ?? '');
  let lastStatus = 'PENDING';
  if (started !== undefined && (stopping || container.lastStatus === 'STOPPED')) lastStatus = 'STOPPED';
  else if (hostCanExec && container.lastStatus === 'RUNNING' && task.lastStatus === 'RUNNING') lastStatus = 'RUNNING';
  return [
    {
      name: 'ExecuteCommandAgent',
      lastStatus,
      ...(lastStatus !== 'PENDING' && started !== undefined ? { lastStartedAt: started } : {}),
    },
  ];
}

/** Whether the host running the task can exec: its instance advertises the capability, or managed capacity can. */
export async function hostCanExec(deps: TaskDeps, record: TaskRecord): Promise<boolean> {
  if (record.containerInstance === undefined) return deps.execute?.managedCanExec() ?? false;
  const [instance] = await deps.store.containerInstances.get(record.cluster, [record.containerInstance]);
  const attributes = (instance?.body.attributes ?? []) as readonly { name?: string }[];
  return attributes.some((attribute) => attribute.name === EXECUTE_COMMAND_CAPABILITY);
}

/** DescribeTasks' containers with their managedAgents, for tasks started with enableExecuteCommand. */
export async function withManagedAgents(deps: TaskDeps, record: TaskRecord, task: Task): Promise<Task> {
  if (!task.enableExecuteCommand) return task;
  const canExec = await hostCanExec(deps, record);
  return {
    ...task,
    containers: task.containers?.map((c) => ({ ...c, managedAgents: managedAgentsOf(task, c, canExec) })),
  };
}

/**
 * CreateService's and UpdateService's check of enableExecuteCommand, in ECS's words: ECS Exec runs
 * its agent with the task role, so the service's task definition must have one.
 */
export async function checkServiceExecRole(
  deps: TaskDeps,
  service: { readonly enableExecuteCommand?: boolean | undefined; readonly taskDefinition?: string | undefined },
  verb: 'created' | 'updated',
): Promise<void> {
  if (!service.enableExecuteCommand || service.taskDefinition === undefined) return;
  const record = await findTaskDefinition(deps, service.taskDefinition);
  if (record && toTaskDefinition(record).taskRoleArn) return;
  throw new InvalidParameterException(
    `The service couldn't be ${verb} because a valid taskRoleArn is not being used. Specify a valid task role in your task definition and try again.`,
  );
}
