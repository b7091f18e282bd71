import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { IamDirectory } from './directory.ts';

/**
 * What each IAM operation asks the access control for (the Service Authorization Reference for
 * IAM): `iam:<Operation>` on the user, group, role, policy or instance profile ARN the input names
 * (with the entity's path, looked up in memory: an unknown name gets path `/`), `*` where IAM
 * takes no resource. Attach calls carry iam:PolicyARN, boundary calls iam:PermissionsBoundary,
 * tagging calls aws:TagKeys and aws:RequestTag/*, CreateServiceLinkedRole iam:AWSServiceName.
 */

type Input = Record<string, unknown>;
type Kind = 'user' | 'group' | 'role' | 'instance-profile';
type Paths = Pick<IamDirectory, 'user' | 'group' | 'role' | 'instanceProfile' | 'accessKey'>;

const USER_OPS = `CreateUser GetUser UpdateUser DeleteUser TagUser UntagUser ListUserTags PutUserPermissionsBoundary
  DeleteUserPermissionsBoundary ListGroupsForUser PutUserPolicy GetUserPolicy ListUserPolicies DeleteUserPolicy
  AttachUserPolicy DetachUserPolicy ListAttachedUserPolicies CreateAccessKey ListAccessKeys UpdateAccessKey DeleteAccessKey`;
const GROUP_OPS = `CreateGroup GetGroup UpdateGroup DeleteGroup AddUserToGroup RemoveUserFromGroup PutGroupPolicy
  GetGroupPolicy ListGroupPolicies DeleteGroupPolicy AttachGroupPolicy DetachGroupPolicy ListAttachedGroupPolicies`;
const ROLE_OPS = `CreateRole GetRole UpdateRole UpdateRoleDescription UpdateAssumeRolePolicy DeleteRole PutRolePermissionsBoundary
  DeleteRolePermissionsBoundary TagRole UntagRole ListRoleTags PutRolePolicy GetRolePolicy ListRolePolicies DeleteRolePolicy
  AttachRolePolicy DetachRolePolicy ListAttachedRolePolicies ListInstanceProfilesForRole DeleteServiceLinkedRole`;
const POLICY_OPS = `GetPolicy DeletePolicy CreatePolicyVersion GetPolicyVersion ListPolicyVersions DeletePolicyVersion
  SetDefaultPolicyVersion ListEntitiesForPolicy TagPolicy UntagPolicy ListPolicyTags`;
const PROFILE_OPS = `CreateInstanceProfile GetInstanceProfile DeleteInstanceProfile AddRoleToInstanceProfile
  RemoveRoleFromInstanceProfile TagInstanceProfile UntagInstanceProfile ListInstanceProfileTags`;
const ACCOUNT_OPS = `ListUsers ListGroups ListRoles ListPolicies ListInstanceProfiles GetAccountAuthorizationDetails
  SimulateCustomPolicy GetServiceLinkedRoleDeletionStatus`;

const NAME_MEMBER: Record<Kind, string> = {
  user: 'UserName',
  group: 'GroupName',
  role: 'RoleName',
  'instance-profile': 'InstanceProfileName',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function words(list: string): string[] {
  return list.split(/\s+/).filter((w) => w !== '');
}

/** Condition keys an operation's input supplies. */
function conditions(input: Input): Record<string, string | readonly string[]> {
  const keys: Record<string, string | readonly string[]> = {};
  const policyArn = text(input.PolicyArn);
  if (policyArn !== undefined) keys['iam:PolicyARN'] = policyArn;
  const boundary = text(input.PermissionsBoundary);
  if (boundary !== undefined) keys['iam:PermissionsBoundary'] = boundary;
  const tags = Array.isArray(input.Tags) ? (input.Tags as { Key?: unknown; Value?: unknown }[]) : [];
  const tagKeys = tags.map((t) => text(t.Key)).filter((k): k is string => k !== undefined);
  if (Array.isArray(input.TagKeys)) tagKeys.push(...(input.TagKeys as string[]));
  if (tagKeys.length > 0) keys['aws:TagKeys'] = tagKeys;
  for (const tag of tags)
    if (text(tag.Key) !== undefined) keys[`aws:RequestTag/${tag.Key as string}`] = text(tag.Value) ?? '';
  const service = text(input.AWSServiceName);
  if (service !== undefined) keys['iam:AWSServiceName'] = service;
  return keys;
}

/** The IAM access declarations, resolving entities' paths with `paths` (none: every path is `/`). */
export function createIamAccess(paths?: Paths): Readonly<Record<string, DeclareAccess>> {
  const arnOf = (kind: Kind, name: string, context: RequestContext, given?: string): string => {
    const entity =
      kind === 'user'
        ? paths?.user(name)
        : kind === 'group'
          ? paths?.group(name)
          : kind === 'role'
            ? paths?.role(name)
            : paths?.instanceProfile(name);
    return `arn:aws:iam::${context.accountId}:${kind}${given ?? entity?.path ?? '/'}${entity?.name ?? name}`;
  };
  const declare = (operation: string, resource: (input: Input, context: RequestContext) => string): DeclareAccess =>
    ((input: Input, context: RequestContext): AccessRequest[] => {
      const keys = conditions(input);
      return [
        {
          action: `iam:${operation}`,
          resource: resource(input, context),
          ...(Object.keys(keys).length > 0 ? { conditions: keys } : {}),
        },
      ];
    }) as DeclareAccess;
  const onEntity = (kind: Kind, operation: string): DeclareAccess =>
    declare(operation, (input, context) => {
      const named = text(input[NAME_MEMBER[kind]]);
      // Calls about "my own" user (GetUser, access keys) name the caller when they name nobody.
      if (named === undefined) return kind === 'user' ? context.principal.arn : '*';
      const created = operation.startsWith('Create') ? (text(input.Path) ?? '/') : undefined;
      return arnOf(kind, named, context, created);
    });
  const table: Record<string, DeclareAccess> = {};
  for (const op of words(USER_OPS)) table[op] = onEntity('user', op);
  for (const op of words(GROUP_OPS)) table[op] = onEntity('group', op);
  for (const op of words(ROLE_OPS)) table[op] = onEntity('role', op);
  for (const op of words(PROFILE_OPS)) table[op] = onEntity('instance-profile', op);
  for (const op of words(POLICY_OPS)) table[op] = declare(op, (input) => text(input.PolicyArn) ?? '*');
  for (const op of words(ACCOUNT_OPS)) table[op] = declare(op, () => '*');
  table.CreatePolicy = declare(
    'CreatePolicy',
    (input, context) =>
      `arn:aws:iam::${context.accountId}:policy${text(input.Path) ?? '/'}${text(input.PolicyName) ?? ''}`,
  );
  table.CreateServiceLinkedRole = declare(
    'CreateServiceLinkedRole',
    (input, context) => `arn:aws:iam::${context.accountId}:role/aws-service-role/${text(input.AWSServiceName) ?? ''}/*`,
  );
  table.GetAccessKeyLastUsed = declare('GetAccessKeyLastUsed', (input, context) => {
    const key = paths?.accessKey(text(input.AccessKeyId) ?? '');
    return key ? arnOf('user', key.userName, context) : '*';
  });
  table.SimulatePrincipalPolicy = declare('SimulatePrincipalPolicy', (input) => text(input.PolicySourceArn) ?? '*');
  return table;
}

/** Declarations with every path `/`: for tables that only list what is declared. */
export const iamAccess: Readonly<Record<string, DeclareAccess>> = createIamAccess();
