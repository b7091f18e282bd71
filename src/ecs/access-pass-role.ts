import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { findTaskDefinition, toTaskDefinition, type TaskDefinitionDeps } from './task-definitions.ts';

/**
 * iam:PassRole for the roles a call hands to ECS. The roles the input names are declared with the
 * rest (access.ts). The roles of the task definition a call runs are known only once it is read, so
 * RunTask, StartTask, CreateService, UpdateService and CreateTaskSet ask for them in a second step,
 * as ECS does ("... is not authorized to perform: iam:PassRole on resource: …/ecsTaskExecutionRole"
 * from a RunTask that names no role).
 */

export type PassedToService = 'ecs-tasks.amazonaws.com' | 'ecs.amazonaws.com';

export type Authorize = AccessControl['authorize'];

/** A role by ARN, or by name (CreateService's `role` takes either) in the caller's account. */
function roleArn(role: string, accountId: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`;
}

export function passRole(role: unknown, service: PassedToService, accountId: string): AccessRequest[] {
  if (typeof role !== 'string' || role === '') return [];
  return [
    { action: 'iam:PassRole', resource: roleArn(role, accountId), conditions: { 'iam:PassedToService': service } },
  ];
}

interface Roles {
  readonly taskRoleArn?: string | undefined;
  readonly executionRoleArn?: string | undefined;
}

/** The task definition's roles a task gets: the ones an override replaces are not passed. */
export function definitionRoleRequests(definition: Roles, overrides: Roles | undefined, accountId: string) {
  return [
    ...(overrides?.taskRoleArn ? [] : passRole(definition.taskRoleArn, 'ecs-tasks.amazonaws.com', accountId)),
    ...(overrides?.executionRoleArn ? [] : passRole(definition.executionRoleArn, 'ecs-tasks.amazonaws.com', accountId)),
  ];
}

/**
 * The second step: reads the task definition and asks the access control for PassRole on its
 * roles. Without `authorize` (unit tests that build ECS alone) there is no second step; a missing
 * definition is left to the operation, which answers it as ECS does.
 */
export async function authorizeDefinitionRoles(
  deps: TaskDefinitionDeps & { readonly authorize?: Authorize | undefined },
  context: RequestContext,
  call: { readonly taskDefinition?: string | undefined; readonly overrides?: Roles | undefined },
): Promise<void> {
  if (!deps.authorize || !call.taskDefinition) return;
  const record = await findTaskDefinition(deps, call.taskDefinition);
  if (!record) return;
  const requests = definitionRoleRequests(toTaskDefinition(record), call.overrides, context.accountId);
  if (requests.length > 0) await deps.authorize(context, requests);
}
