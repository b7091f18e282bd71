import { AccessDeniedException } from '../../shared/access-denied.ts';
import type { IamDirectory } from '../directory.ts';
import { DeleteConflictException, EntityAlreadyExistsException, LimitExceededException } from '../errors.ts';
import { sizeWithoutWhitespace } from '../model/documents.ts';
import type { ManagedPolicy } from '../model/entities.ts';
import { iamArn, newUniqueId } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import {
  attachmentCount,
  checkPath,
  checkTags,
  type IamDeps,
  paginate,
  requirePolicy,
  tagEntity,
  tagPage,
  tagsOut,
  underPath,
  untagEntity,
} from './common.ts';

/** IAM's quota for a managed policy document, counted without whitespace (PolicySize). */
const MAX_MANAGED_POLICY = 6144;

export function policyOut(
  directory: IamDirectory,
  policy: ManagedPolicy,
  options: { description?: boolean; tags?: boolean } = {},
): Api.Policy {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount(directory, policy.arn),
    PermissionsBoundaryUsageCount: directory.boundedBy(policy.arn).length,
    IsAttachable: true,
    ...(options.description && policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: policy.createdAt,
    UpdateDate: policy.updatedAt,
    ...(options.tags ? tagsOut(policy.tags) : {}),
  };
}

/** A managed policy's document: a valid identity policy within IAM's size quota. */
export function checkManagedDocument(directory: IamDirectory, document: string): string {
  if (sizeWithoutWhitespace(document) > MAX_MANAGED_POLICY)
    throw LimitExceededException.quota('PolicySize', MAX_MANAGED_POLICY);
  directory.compile(document, 'identity');
  return document;
}

/** The account's own managed policy: AWS's can be read and attached, never changed. */
export function requireOwnPolicy(directory: IamDirectory, arn: string, verb: string): ManagedPolicy {
  const policy = requirePolicy(directory, arn);
  if (policy.awsManaged) throw new AccessDeniedException(`Cannot ${verb} policies outside your own account.`);
  return policy;
}

export async function createPolicy(
  { directory }: IamDeps,
  input: Api.CreatePolicyRequest,
): Promise<Api.CreatePolicyResponse> {
  const path = checkPath(input.Path);
  const tags = checkTags(input.Tags);
  const document = checkManagedDocument(directory, input.PolicyDocument);
  return directory.update(() => {
    if (directory.customerPolicyNamed(input.PolicyName))
      throw new EntityAlreadyExistsException(
        `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`,
      );
    const now = directory.now();
    const policy: ManagedPolicy = {
      kind: 'policy',
      name: input.PolicyName,
      arn: iamArn(directory.accountId, 'policy', path, input.PolicyName),
      id: newUniqueId('ANPA'),
      path,
      createdAt: now,
      updatedAt: now,
      defaultVersionId: 'v1',
      versions: [{ versionId: 'v1', document, createdAt: now }],
      nextVersion: 2,
      tags,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
    };
    return { changes: { put: [policy] }, result: { Policy: policyOut(directory, policy, { tags: true }) } };
  });
}

export async function getPolicy({ directory }: IamDeps, input: Api.GetPolicyRequest): Promise<Api.GetPolicyResponse> {
  const policy = requirePolicy(directory, input.PolicyArn);
  return { Policy: policyOut(directory, policy, { description: true, tags: true }) };
}

export async function listPolicies(
  { directory }: IamDeps,
  input: Api.ListPoliciesRequest,
): Promise<Api.ListPoliciesResponse> {
  const scope = input.Scope ?? 'All';
  const policies = underPath(directory.policies(), input.PathPrefix).filter((p) => {
    if (scope === 'AWS' && !p.awsManaged) return false;
    if (scope === 'Local' && p.awsManaged) return false;
    const attached = attachmentCount(directory, p.arn) > 0;
    const bounding = directory.boundedBy(p.arn).length > 0;
    if (input.OnlyAttached && !attached && !bounding) return false;
    if (input.PolicyUsageFilter === 'PermissionsPolicy' && input.OnlyAttached && !attached) return false;
    if (input.PolicyUsageFilter === 'PermissionsBoundary' && input.OnlyAttached && !bounding) return false;
    return true;
  });
  const keyOf = (p: ManagedPolicy): string => `${p.name}\u0000${p.arn}`;
  policies.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const { page, ...more } = paginate(policies, keyOf, input);
  return { Policies: page.map((p) => policyOut(directory, p)), ...more };
}

export async function deletePolicy({ directory }: IamDeps, input: Api.DeletePolicyRequest): Promise<void> {
  await directory.update(() => {
    const policy = requireOwnPolicy(directory, input.PolicyArn, 'delete');
    if (attachmentCount(directory, policy.arn) > 0 || directory.boundedBy(policy.arn).length > 0)
      throw new DeleteConflictException('Cannot delete a policy attached to entities.');
    if (policy.versions.length > 1)
      throw new DeleteConflictException(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    return { changes: { remove: [policy] }, result: undefined };
  });
}

export async function tagPolicy({ directory }: IamDeps, input: Api.TagPolicyRequest): Promise<void> {
  await tagEntity(directory, () => requireOwnPolicy(directory, input.PolicyArn, 'tag'), input.Tags);
}

export async function untagPolicy({ directory }: IamDeps, input: Api.UntagPolicyRequest): Promise<void> {
  await untagEntity(directory, () => requireOwnPolicy(directory, input.PolicyArn, 'untag'), input.TagKeys);
}

export async function listPolicyTags(
  { directory }: IamDeps,
  input: Api.ListPolicyTagsRequest,
): Promise<Api.ListPolicyTagsResponse> {
  return tagPage(requirePolicy(directory, input.PolicyArn).tags, input);
}

/** The users, groups and roles a policy is attached to (or bounds), each list of its own kind. */
export async function listEntitiesForPolicy(
  { directory }: IamDeps,
  input: Api.ListEntitiesForPolicyRequest,
): Promise<Api.ListEntitiesForPolicyResponse> {
  const policy = requirePolicy(directory, input.PolicyArn);
  const usage = input.PolicyUsageFilter;
  const holders = [
    ...(usage === 'PermissionsBoundary' ? [] : directory.attachmentsOf(policy.arn)),
    ...(usage === 'PermissionsPolicy' ? [] : directory.boundedBy(policy.arn)),
  ];
  const filter = input.EntityFilter;
  const kinds = { User: 'user', Role: 'role', Group: 'group' } as Record<string, string>;
  const wanted = holders.filter(
    (h, i) =>
      holders.indexOf(h) === i &&
      (filter === undefined || kinds[filter] === h.kind) &&
      (input.PathPrefix === undefined || h.path.startsWith(input.PathPrefix)),
  );
  const keyOf = (h: { name: string; arn: string }): string => h.arn;
  wanted.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const { page, ...more } = paginate(wanted, keyOf, input);
  const of = (kind: string) => page.filter((h) => h.kind === kind);
  return {
    PolicyGroups: of('group').map((g) => ({ GroupName: g.name, GroupId: g.id })),
    PolicyUsers: of('user').map((u) => ({ UserName: u.name, UserId: u.id })),
    PolicyRoles: of('role').map((r) => ({ RoleName: r.name, RoleId: r.id })),
    ...more,
  };
}
