import { oneOf, type MemberRule, type MemberTable, type OperationMembers } from '../shared/member-classification.ts';

/*
 * What each IAM operation does with each input member (shared/member-classification.ts): the
 * paths its code acts on, written as one space-separated string per operation, and the few it
 * refuses or accepts with no effect. src/aws-protocol/ refuses (with IAM's ValidationError); a test
 * checks that every input member is classified here.
 */

const ACTED: Readonly<Record<string, string>> = {
  AddRoleToInstanceProfile: 'InstanceProfileName RoleName',
  AddUserToGroup: 'GroupName UserName',
  AttachGroupPolicy: 'GroupName PolicyArn',
  AttachRolePolicy: 'RoleName PolicyArn',
  AttachUserPolicy: 'UserName PolicyArn',
  CreateAccessKey: 'UserName',
  CreateGroup: 'Path GroupName',
  CreateInstanceProfile: 'InstanceProfileName Path Tags[].Key Tags[].Value',
  CreatePolicy: 'PolicyName Path PolicyDocument Description Tags[].Key Tags[].Value',
  CreatePolicyVersion: 'PolicyArn PolicyDocument SetAsDefault',
  CreateRole:
    'Path RoleName AssumeRolePolicyDocument Description MaxSessionDuration PermissionsBoundary Tags[].Key Tags[].Value',
  CreateServiceLinkedRole: 'AWSServiceName Description CustomSuffix',
  CreateUser: 'Path UserName PermissionsBoundary Tags[].Key Tags[].Value',
  DeleteAccessKey: 'UserName AccessKeyId',
  DeleteGroup: 'GroupName',
  DeleteGroupPolicy: 'GroupName PolicyName',
  DeleteInstanceProfile: 'InstanceProfileName',
  DeletePolicy: 'PolicyArn',
  DeletePolicyVersion: 'PolicyArn VersionId',
  DeleteRole: 'RoleName',
  DeleteRolePermissionsBoundary: 'RoleName',
  DeleteRolePolicy: 'RoleName PolicyName',
  DeleteServiceLinkedRole: 'RoleName',
  DeleteUser: 'UserName',
  DeleteUserPermissionsBoundary: 'UserName',
  DeleteUserPolicy: 'UserName PolicyName',
  DetachGroupPolicy: 'GroupName PolicyArn',
  DetachRolePolicy: 'RoleName PolicyArn',
  DetachUserPolicy: 'UserName PolicyArn',
  GetAccessKeyLastUsed: 'AccessKeyId',
  GetAccountAuthorizationDetails: 'Filter MaxItems Marker',
  GetGroup: 'GroupName Marker MaxItems',
  GetGroupPolicy: 'GroupName PolicyName',
  GetInstanceProfile: 'InstanceProfileName',
  GetPolicy: 'PolicyArn',
  GetPolicyVersion: 'PolicyArn VersionId',
  GetRole: 'RoleName',
  GetRolePolicy: 'RoleName PolicyName',
  GetServiceLinkedRoleDeletionStatus: 'DeletionTaskId',
  GetUser: 'UserName',
  GetUserPolicy: 'UserName PolicyName',
  ListAccessKeys: 'UserName Marker MaxItems',
  ListAttachedGroupPolicies: 'GroupName PathPrefix Marker MaxItems',
  ListAttachedRolePolicies: 'RoleName PathPrefix Marker MaxItems',
  ListAttachedUserPolicies: 'UserName PathPrefix Marker MaxItems',
  ListEntitiesForPolicy: 'PolicyArn EntityFilter PathPrefix PolicyUsageFilter Marker MaxItems',
  ListGroupPolicies: 'GroupName Marker MaxItems',
  ListGroups: 'PathPrefix Marker MaxItems',
  ListGroupsForUser: 'UserName Marker MaxItems',
  ListInstanceProfileTags: 'InstanceProfileName Marker MaxItems',
  ListInstanceProfiles: 'PathPrefix Marker MaxItems',
  ListInstanceProfilesForRole: 'RoleName Marker MaxItems',
  ListPolicies: 'Scope OnlyAttached PathPrefix PolicyUsageFilter Marker MaxItems',
  ListPolicyTags: 'PolicyArn Marker MaxItems',
  ListPolicyVersions: 'PolicyArn Marker MaxItems',
  ListRolePolicies: 'RoleName Marker MaxItems',
  ListRoleTags: 'RoleName Marker MaxItems',
  ListRoles: 'PathPrefix Marker MaxItems',
  ListUserPolicies: 'UserName Marker MaxItems',
  ListUserTags: 'UserName Marker MaxItems',
  ListUsers: 'PathPrefix Marker MaxItems',
  PutGroupPolicy: 'GroupName PolicyName PolicyDocument',
  PutRolePermissionsBoundary: 'RoleName PermissionsBoundary',
  PutRolePolicy: 'RoleName PolicyName PolicyDocument',
  PutUserPermissionsBoundary: 'UserName PermissionsBoundary',
  PutUserPolicy: 'UserName PolicyName PolicyDocument',
  RemoveRoleFromInstanceProfile: 'InstanceProfileName RoleName',
  RemoveUserFromGroup: 'GroupName UserName',
  SetDefaultPolicyVersion: 'PolicyArn VersionId',
  SimulateCustomPolicy:
    'PolicyInputList PermissionsBoundaryPolicyInputList ActionNames ResourceArns ResourcePolicy CallerArn ContextEntries[].ContextKeyName ContextEntries[].ContextKeyValues ContextEntries[].ContextKeyType MaxItems Marker',
  SimulatePrincipalPolicy:
    'PolicySourceArn PolicyInputList PermissionsBoundaryPolicyInputList ActionNames ResourceArns ResourcePolicy CallerArn ContextEntries[].ContextKeyName ContextEntries[].ContextKeyValues ContextEntries[].ContextKeyType MaxItems Marker',
  TagInstanceProfile: 'InstanceProfileName Tags[].Key Tags[].Value',
  TagPolicy: 'PolicyArn Tags[].Key Tags[].Value',
  TagRole: 'RoleName Tags[].Key Tags[].Value',
  TagUser: 'UserName Tags[].Key Tags[].Value',
  UntagInstanceProfile: 'InstanceProfileName TagKeys',
  UntagPolicy: 'PolicyArn TagKeys',
  UntagRole: 'RoleName TagKeys',
  UntagUser: 'UserName TagKeys',
  UpdateAccessKey: 'UserName AccessKeyId Status',
  UpdateAssumeRolePolicy: 'RoleName PolicyDocument',
  UpdateGroup: 'GroupName NewPath NewGroupName',
  UpdateRole: 'RoleName Description MaxSessionDuration',
  UpdateRoleDescription: 'RoleName Description',
  UpdateUser: 'UserName NewPath NewUserName',
};

const SIMULATION: Record<string, MemberRule> = {
  ResourceHandlingOption: { refused: 'the simulation would ignore the EC2 scenario it names', byDesign: true },
  ResourceOwner: { inert: 'Berth serves one account: every resource is its own' },
};

const RULES: Readonly<Record<string, Record<string, MemberRule>>> = {
  SimulateCustomPolicy: SIMULATION,
  SimulatePrincipalPolicy: SIMULATION,
  UpdateAccessKey: {
    Status: {
      refused: 'the key would not expire: Expired is set by AWS, not by callers',
      when: oneOf('Expired'),
      byDesign: true,
    },
  },
};

/** The IAM member table, by operation name. */
export const iamMembers: MemberTable = Object.fromEntries(
  Object.entries(ACTED).map(([operation, acted]): [string, OperationMembers] => [
    operation,
    { acted: acted.split(' ').filter((path) => path !== ''), ...(RULES[operation] ? { rules: RULES[operation] } : {}) },
  ]),
);
