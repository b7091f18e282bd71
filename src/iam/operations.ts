import type { RequestContext } from '../shared/request-context.ts';
import * as keys from './api/access-keys.ts';
import { getAccountAuthorizationDetails } from './api/account-details.ts';
import * as attached from './api/attached-policies.ts';
import type { IamDeps } from './api/common.ts';
import * as groups from './api/groups.ts';
import * as inline from './api/inline-policies.ts';
import * as profiles from './api/instance-profiles.ts';
import * as policies from './api/policies.ts';
import * as versions from './api/policy-versions.ts';
import * as roles from './api/roles.ts';
import * as linked from './api/service-linked-roles.ts';
import { simulateCustomPolicy, simulatePrincipalPolicy } from './api/simulate.ts';
import * as users from './api/users.ts';
import type { IamApi } from './shapes.generated.ts';

type Handler = (deps: IamDeps, input: never, context: RequestContext) => Promise<unknown>;

const HANDLERS: Record<string, Handler> = {
  CreateUser: users.createUser,
  GetUser: users.getUser,
  ListUsers: users.listUsers,
  UpdateUser: users.updateUser,
  DeleteUser: users.deleteUser,
  TagUser: users.tagUser,
  UntagUser: users.untagUser,
  ListUserTags: users.listUserTags,
  PutUserPermissionsBoundary: users.putUserPermissionsBoundary,
  DeleteUserPermissionsBoundary: users.deleteUserPermissionsBoundary,
  CreateGroup: groups.createGroup,
  GetGroup: groups.getGroup,
  ListGroups: groups.listGroups,
  UpdateGroup: groups.updateGroup,
  DeleteGroup: groups.deleteGroup,
  AddUserToGroup: groups.addUserToGroup,
  RemoveUserFromGroup: groups.removeUserFromGroup,
  ListGroupsForUser: groups.listGroupsForUser,
  CreateRole: roles.createRole,
  GetRole: roles.getRole,
  ListRoles: roles.listRoles,
  UpdateRole: roles.updateRole,
  UpdateRoleDescription: roles.updateRoleDescription,
  UpdateAssumeRolePolicy: roles.updateAssumeRolePolicy,
  DeleteRole: roles.deleteRole,
  PutRolePermissionsBoundary: roles.putRolePermissionsBoundary,
  DeleteRolePermissionsBoundary: roles.deleteRolePermissionsBoundary,
  TagRole: roles.tagRole,
  UntagRole: roles.untagRole,
  ListRoleTags: roles.listRoleTags,
  CreateServiceLinkedRole: linked.createServiceLinkedRole,
  DeleteServiceLinkedRole: linked.deleteServiceLinkedRole,
  GetServiceLinkedRoleDeletionStatus: linked.getServiceLinkedRoleDeletionStatus,
  CreatePolicy: policies.createPolicy,
  GetPolicy: policies.getPolicy,
  ListPolicies: policies.listPolicies,
  DeletePolicy: policies.deletePolicy,
  TagPolicy: policies.tagPolicy,
  UntagPolicy: policies.untagPolicy,
  ListPolicyTags: policies.listPolicyTags,
  ListEntitiesForPolicy: policies.listEntitiesForPolicy,
  CreatePolicyVersion: versions.createPolicyVersion,
  GetPolicyVersion: versions.getPolicyVersion,
  ListPolicyVersions: versions.listPolicyVersions,
  DeletePolicyVersion: versions.deletePolicyVersion,
  SetDefaultPolicyVersion: versions.setDefaultPolicyVersion,
  PutUserPolicy: inline.putUserPolicy,
  GetUserPolicy: inline.getUserPolicy,
  ListUserPolicies: inline.listUserPolicies,
  DeleteUserPolicy: inline.deleteUserPolicy,
  PutGroupPolicy: inline.putGroupPolicy,
  GetGroupPolicy: inline.getGroupPolicy,
  ListGroupPolicies: inline.listGroupPolicies,
  DeleteGroupPolicy: inline.deleteGroupPolicy,
  PutRolePolicy: inline.putRolePolicy,
  GetRolePolicy: inline.getRolePolicy,
  ListRolePolicies: inline.listRolePolicies,
  DeleteRolePolicy: inline.deleteRolePolicy,
  AttachUserPolicy: attached.attachUserPolicy,
  DetachUserPolicy: attached.detachUserPolicy,
  ListAttachedUserPolicies: attached.listAttachedUserPolicies,
  AttachGroupPolicy: attached.attachGroupPolicy,
  DetachGroupPolicy: attached.detachGroupPolicy,
  ListAttachedGroupPolicies: attached.listAttachedGroupPolicies,
  AttachRolePolicy: attached.attachRolePolicy,
  DetachRolePolicy: attached.detachRolePolicy,
  ListAttachedRolePolicies: attached.listAttachedRolePolicies,
  CreateAccessKey: keys.createAccessKey,
  ListAccessKeys: keys.listAccessKeys,
  UpdateAccessKey: keys.updateAccessKey,
  DeleteAccessKey: keys.deleteAccessKey,
  GetAccessKeyLastUsed: keys.getAccessKeyLastUsed,
  CreateInstanceProfile: profiles.createInstanceProfile,
  GetInstanceProfile: profiles.getInstanceProfile,
  ListInstanceProfiles: profiles.listInstanceProfiles,
  DeleteInstanceProfile: profiles.deleteInstanceProfile,
  AddRoleToInstanceProfile: profiles.addRoleToInstanceProfile,
  RemoveRoleFromInstanceProfile: profiles.removeRoleFromInstanceProfile,
  ListInstanceProfilesForRole: profiles.listInstanceProfilesForRole,
  TagInstanceProfile: profiles.tagInstanceProfile,
  UntagInstanceProfile: profiles.untagInstanceProfile,
  ListInstanceProfileTags: profiles.listInstanceProfileTags,
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
  SimulatePrincipalPolicy: simulatePrincipalPolicy,
  SimulateCustomPolicy: simulateCustomPolicy,
};

/** The IAM operations Berth implements, by their AWS names. The protocol layer answers the rest (501). */
export function iamOperations(deps: IamDeps): Partial<IamApi> {
  const table: Record<string, (input: never, context: RequestContext) => Promise<unknown>> = {};
  for (const [name, handler] of Object.entries(HANDLERS))
    table[name] = (input, context) => handler(deps, input, context);
  return table as Partial<IamApi>;
}
