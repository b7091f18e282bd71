import type { IamDirectory } from '../directory.ts';
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  LimitExceededException,
  UnmodifiableEntityException,
} from '../errors.ts';
import { encodeDocument } from '../model/documents.ts';
import type { IamRole } from '../model/entities.ts';
import { iamArn, newUniqueId } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import {
  checkPath,
  checkTags,
  type IamDeps,
  omit,
  paginate,
  requireAttachable,
  requireRole,
  tagEntity,
  tagPage,
  tagsOut,
  underPath,
  untagEntity,
} from './common.ts';

/** IAM's default quota for a role trust policy (ACLSizePerRole). */
const MAX_TRUST_POLICY = 2048;
const DEFAULT_SESSION_SECONDS = 3600;

export function roleOut(role: IamRole, options: { detail?: boolean } = {}): Api.Role {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: role.createdAt,
    AssumeRolePolicyDocument: encodeDocument(role.trustPolicy),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
    ...(options.detail && role.boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
            PermissionsBoundaryArn: role.boundary,
          },
        }
      : {}),
    ...(options.detail ? { ...tagsOut(role.tags), RoleLastUsed: {} } : {}),
  };
}

/** A trust policy as IAM takes it: parsed as one ('trust'), within the quota. */
export function checkTrustPolicy(directory: IamDirectory, document: string): string {
  if (document.length > MAX_TRUST_POLICY) throw LimitExceededException.quota('ACLSizePerRole', MAX_TRUST_POLICY);
  directory.compile(document, 'trust');
  return document;
}

/** A service-linked role changes only through its service (and DeleteServiceLinkedRole). */
export function requireModifiableRole(directory: IamDirectory, name: string): IamRole {
  const role = requireRole(directory, name);
  if (role.serviceName !== undefined)
    throw new UnmodifiableEntityException(
      `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`,
    );
  return role;
}

export async function createRole(
  { directory }: IamDeps,
  input: Api.CreateRoleRequest,
): Promise<Api.CreateRoleResponse> {
  const path = checkPath(input.Path);
  const tags = checkTags(input.Tags);
  const trustPolicy = checkTrustPolicy(directory, input.AssumeRolePolicyDocument);
  return directory.update(() => {
    if (directory.role(input.RoleName))
      throw new EntityAlreadyExistsException(`Role with name ${input.RoleName} already exists.`);
    if (input.PermissionsBoundary !== undefined) requireAttachable(directory, input.PermissionsBoundary);
    const role: IamRole = {
      kind: 'role',
      name: input.RoleName,
      arn: iamArn(directory.accountId, 'role', path, input.RoleName),
      id: newUniqueId('AROA'),
      path,
      createdAt: directory.now(),
      trustPolicy,
      maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_SESSION_SECONDS,
      tags,
      inline: {},
      attached: [],
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.PermissionsBoundary !== undefined ? { boundary: input.PermissionsBoundary } : {}),
    };
    return { changes: { put: [role] }, result: { Role: roleOut(role, { detail: true }) } };
  });
}

export async function getRole({ directory }: IamDeps, input: Api.GetRoleRequest): Promise<Api.GetRoleResponse> {
  return { Role: roleOut(requireRole(directory, input.RoleName), { detail: true }) };
}

export async function listRoles({ directory }: IamDeps, input: Api.ListRolesRequest): Promise<Api.ListRolesResponse> {
  const { page, ...more } = paginate(underPath(directory.roles(), input.PathPrefix), (r) => r.name, input);
  return { Roles: page.map((r) => roleOut(r)), ...more };
}

export async function updateRole({ directory }: IamDeps, input: Api.UpdateRoleRequest): Promise<void> {
  await directory.update(() => {
    const role = requireModifiableRole(directory, input.RoleName);
    const updated: IamRole = {
      ...role,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.MaxSessionDuration !== undefined ? { maxSessionDuration: input.MaxSessionDuration } : {}),
    };
    return { changes: { put: [updated] }, result: undefined };
  });
}

export async function updateRoleDescription(
  { directory }: IamDeps,
  input: Api.UpdateRoleDescriptionRequest,
): Promise<Api.UpdateRoleDescriptionResponse> {
  return directory.update(() => {
    const role: IamRole = { ...requireModifiableRole(directory, input.RoleName), description: input.Description };
    return { changes: { put: [role] }, result: { Role: roleOut(role, { detail: true }) } };
  });
}

export async function updateAssumeRolePolicy(
  { directory }: IamDeps,
  input: Api.UpdateAssumeRolePolicyRequest,
): Promise<void> {
  const trustPolicy = checkTrustPolicy(directory, input.PolicyDocument);
  await directory.update(() => {
    const role = requireModifiableRole(directory, input.RoleName);
    return { changes: { put: [{ ...role, trustPolicy }] }, result: undefined };
  });
}

export async function deleteRole({ directory }: IamDeps, input: Api.DeleteRoleRequest): Promise<void> {
  await directory.update(() => {
    const role = requireModifiableRole(directory, input.RoleName);
    if (directory.instanceProfiles().some((p) => p.roles.includes(role.name)))
      throw new DeleteConflictException('Cannot delete entity, must remove roles from instance profile first.');
    if (Object.keys(role.inline).length > 0)
      throw new DeleteConflictException('Cannot delete entity, must delete policies first.');
    if (role.attached.length > 0)
      throw new DeleteConflictException('Cannot delete entity, must detach all policies first.');
    return { changes: { remove: [role] }, result: undefined };
  });
}

export async function putRolePermissionsBoundary(
  { directory }: IamDeps,
  input: Api.PutRolePermissionsBoundaryRequest,
): Promise<void> {
  await directory.update(() => {
    const role = requireModifiableRole(directory, input.RoleName);
    requireAttachable(directory, input.PermissionsBoundary);
    return { changes: { put: [{ ...role, boundary: input.PermissionsBoundary }] }, result: undefined };
  });
}

export async function deleteRolePermissionsBoundary(
  { directory }: IamDeps,
  input: Api.DeleteRolePermissionsBoundaryRequest,
): Promise<void> {
  await directory.update(() => {
    const role = omit(requireModifiableRole(directory, input.RoleName), 'boundary');
    return { changes: { put: [role] }, result: undefined };
  });
}

export async function tagRole({ directory }: IamDeps, input: Api.TagRoleRequest): Promise<void> {
  await tagEntity(directory, () => requireRole(directory, input.RoleName), input.Tags);
}

export async function untagRole({ directory }: IamDeps, input: Api.UntagRoleRequest): Promise<void> {
  await untagEntity(directory, () => requireRole(directory, input.RoleName), input.TagKeys);
}

export async function listRoleTags(
  { directory }: IamDeps,
  input: Api.ListRoleTagsRequest,
): Promise<Api.ListRoleTagsResponse> {
  return tagPage(requireRole(directory, input.RoleName).tags, input);
}
