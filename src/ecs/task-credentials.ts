import { requireCluster } from './clusters.ts';
import { InvalidParameterException } from './errors.ts';
import type { TaskDeps } from './task-deps.ts';
import { storedTask } from './task-records.ts';
import { taskIdOf } from './tasks.ts';
import { toTaskDefinition } from './task-definitions.ts';

/** A task's two roles: the one its containers act as, and the one its agent pulls, logs and reads secrets with. */
export type TaskRoleKind = 'task' | 'execution';

/** The service principal ECS assumes task and execution roles as. */
export const ECS_TASKS_SERVICE = 'ecs-tasks.amazonaws.com';

/** A role session for a task, as the ECS agent receives it from the control plane (ACS). */
export interface TaskRoleCredentials {
  readonly roleArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/**
 * STS, as ECS uses it: sessions of a role assumed by ecs-tasks.amazonaws.com (throwing
 * ServiceRoleUnassumable's kind of error with the role's ARN when the trust policy says no), and
 * their revocation when the task stops.
 */
export interface TaskRoleSessions {
  issue(request: { roleArn: string; sessionName: string; taskArn: string }): Promise<TaskRoleCredentials>;
  revoke(taskArn: string): Promise<void>;
}

export interface TaskCredentialsRequest {
  readonly cluster: string;
  readonly taskArn: string;
  readonly role: TaskRoleKind;
  /** The asking agent's instance (id or ARN); absent for managed capacity. */
  readonly containerInstance?: string | undefined;
  readonly managed?: boolean | undefined;
}

/**
 * A session of the task's task role or execution role (its overrides' or its definition's), for
 * the agent that runs the task and only while the task is not STOPPED. The session is named after
 * the task's id, as ECS names it, and ends when the task stops (revokeTaskCredentials).
 */
export async function taskRoleCredentials(
  deps: TaskDeps & { readonly roleSessions: TaskRoleSessions },
  request: TaskCredentialsRequest,
): Promise<TaskRoleCredentials> {
  const cluster = await requireCluster(deps, request.cluster);
  const id = taskIdOf(request.taskArn);
  const [record] = await deps.store.tasks.get(cluster.name, [id]);
  const instance = request.containerInstance?.split('/').at(-1);
  const runsHere = request.managed ? record?.containerInstance === undefined : record?.containerInstance === instance;
  if (!record || !runsHere) throw new InvalidParameterException('The referenced task was not found.');
  if (record.lastStatus === 'STOPPED')
    throw new InvalidParameterException('The task is stopped: its role credentials are revoked.');
  const { task, details } = storedTask(record);
  const definitionRecord = await deps.store.taskDefinitions.get(record.family, details.revision);
  const definition = definitionRecord && toTaskDefinition(definitionRecord);
  const roleArn =
    request.role === 'task'
      ? (task.overrides?.taskRoleArn ?? definition?.taskRoleArn)
      : (task.overrides?.executionRoleArn ?? definition?.executionRoleArn);
  if (!roleArn) throw new InvalidParameterException(`The task has no ${request.role} role.`);
  return deps.roleSessions.issue({ roleArn, sessionName: id, taskArn: record.arn });
}

/** Ends the role sessions of tasks that stopped; a failure is logged by the caller, never fatal to the stop. */
export async function revokeTaskCredentials(
  deps: Pick<TaskDeps, 'roleSessions'>,
  taskArns: readonly string[],
): Promise<void> {
  if (!deps.roleSessions) return;
  for (const taskArn of taskArns) await deps.roleSessions.revoke(taskArn);
}
