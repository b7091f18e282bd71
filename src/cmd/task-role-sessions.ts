import { InvalidParameterException, type TaskRoleSessions, ECS_TASKS_SERVICE } from '../ecs/index.ts';
import { evaluate, type IamDirectory, type Policy } from '../iam/index.ts';
import type { Clock } from '../shared/clock.ts';
import { rootPrincipal } from '../shared/principal.ts';
import { ServiceRoleSessions, ServiceRoleUnassumable, type SessionDirectory } from '../sts/index.ts';

/**
 * ECS's use of STS: sessions of task and execution roles assumed by ecs-tasks.amazonaws.com, their
 * trust policies decided by the policy evaluator (the service as the caller, no identity policy),
 * and a role that will not be assumed answered in ECS's words.
 */
export function taskRoleSessions(
  iam: IamDirectory,
  sessions: SessionDirectory,
  options: { readonly clock: Clock; readonly accountId: string; readonly sessionSeconds?: number | undefined },
): TaskRoleSessions {
  const service = new ServiceRoleSessions<Policy>({
    roles: iam,
    sessions,
    clock: options.clock,
    sessionSeconds: options.sessionSeconds,
    trusts: (role, servicePrincipal, context) =>
      evaluate(
        {
          action: 'sts:AssumeRole',
          resource: role.arn,
          principal: rootPrincipal(options.accountId),
          context,
          servicePrincipal,
        },
        { identity: [], resource: [role.trustPolicy] },
      ).allowed,
  });
  return {
    async issue(request) {
      try {
        return await service.issue({
          roleArn: request.roleArn,
          service: ECS_TASKS_SERVICE,
          sessionName: request.sessionName,
          owner: request.taskArn,
        });
      } catch (error) {
        if (!(error instanceof ServiceRoleUnassumable)) throw error;
        throw new InvalidParameterException(
          `ECS was unable to assume the role '${request.roleArn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
        );
      }
    },
    async revoke(taskArn) {
      await service.revoke(taskArn);
    },
  };
}
