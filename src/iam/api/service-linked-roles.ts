import { randomUUID } from 'node:crypto';
import { InvalidInputException, NoSuchEntityException } from '../errors.ts';
import type { IamRole } from '../model/entities.ts';
import { iamArn, nameOfArn, newUniqueId } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import { requireRole, type IamDeps } from './common.ts';
import { checkTrustPolicy, roleOut } from './roles.ts';

/** The service-linked roles Berth knows: ECS's, as AWS makes it. */
const SERVICES: Readonly<Record<string, { roleName: string; policyArn: string; description: string }>> = {
  'ecs.amazonaws.com': {
    roleName: 'AWSServiceRoleForECS',
    policyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy',
    description: 'Role to enable Amazon ECS to manage your cluster.',
  },
};

function trustPolicyFor(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

export async function createServiceLinkedRole(
  { directory }: IamDeps,
  input: Api.CreateServiceLinkedRoleRequest,
): Promise<Api.CreateServiceLinkedRoleResponse> {
  const service = SERVICES[input.AWSServiceName];
  if (!service)
    throw new InvalidInputException(
      `Berth knows the service-linked role of ecs.amazonaws.com only, not of ${input.AWSServiceName}.`,
    );
  if (input.CustomSuffix !== undefined)
    throw new InvalidInputException(`Custom suffix is not allowed for ${input.AWSServiceName}`);
  const path = `/aws-service-role/${input.AWSServiceName}/`;
  const trustPolicy = checkTrustPolicy(directory, trustPolicyFor(input.AWSServiceName));
  return directory.update(() => {
    if (directory.role(service.roleName))
      throw new InvalidInputException(
        `Service role name ${service.roleName} has been taken in this account, please try a different suffix.`,
      );
    const role: IamRole = {
      kind: 'role',
      name: service.roleName,
      arn: iamArn(directory.accountId, 'role', path, service.roleName),
      id: newUniqueId('AROA'),
      path,
      createdAt: directory.now(),
      trustPolicy,
      description: input.Description ?? service.description,
      maxSessionDuration: 3600,
      tags: [],
      inline: {},
      attached: [service.policyArn],
      serviceName: input.AWSServiceName,
    };
    return { changes: { put: [role] }, result: { Role: roleOut(role, { detail: true }) } };
  });
}

/** Deleted at once; the deletion task it answers with has SUCCEEDED. */
export async function deleteServiceLinkedRole(
  { directory }: IamDeps,
  input: Api.DeleteServiceLinkedRoleRequest,
): Promise<Api.DeleteServiceLinkedRoleResponse> {
  return directory.update(() => {
    const role = requireRole(directory, input.RoleName);
    if (role.serviceName === undefined)
      throw new InvalidInputException(`Role ${role.name} is not a service-linked role.`);
    return {
      changes: { remove: [role] },
      result: { DeletionTaskId: `task${role.path}${role.name}/${randomUUID()}` },
    };
  });
}

export async function getServiceLinkedRoleDeletionStatus(
  { directory }: IamDeps,
  input: Api.GetServiceLinkedRoleDeletionStatusRequest,
): Promise<Api.GetServiceLinkedRoleDeletionStatusResponse> {
  const match = /^task\/aws-service-role\/[^/]+\/([^/]+)\/[0-9a-f-]{36}$/.exec(input.DeletionTaskId);
  if (!match) throw new NoSuchEntityException(`Deletion task ${input.DeletionTaskId} cannot be found.`);
  return { Status: directory.role(nameOfArn(match[1]!)) ? 'IN_PROGRESS' : 'SUCCEEDED' };
}
