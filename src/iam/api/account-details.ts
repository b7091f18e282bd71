import type { IamDirectory } from '../directory.ts';
import { encodeDocument } from '../model/documents.ts';
import type { IamGroup, IamRole, IamUser, ManagedPolicy, PolicyHolder } from '../model/entities.ts';
import type * as Api from '../shapes.generated.ts';
import { attachmentCount, paginate, tagsOut, type IamDeps } from './common.ts';

/*
 * GetAccountAuthorizationDetails: every user, group and role with its policies, and the managed
 * policies with all their versions (AWS's only when something uses them), paged as one list.
 */

type Entry =
  | { kind: 'User'; entity: IamUser }
  | { kind: 'Group'; entity: IamGroup }
  | { kind: 'Role'; entity: IamRole }
  | { kind: 'LocalManagedPolicy' | 'AWSManagedPolicy'; entity: ManagedPolicy };

function inlineList(holder: PolicyHolder): Api.PolicyDetail[] {
  return Object.entries(holder.inline).map(([name, text]) => ({
    PolicyName: name,
    PolicyDocument: encodeDocument(text),
  }));
}

function attachedList(directory: IamDirectory, holder: PolicyHolder): Api.AttachedPolicy[] {
  return holder.attached.map((arn) => ({
    PolicyName: directory.policy(arn)?.name ?? arn.slice(arn.lastIndexOf('/') + 1),
    PolicyArn: arn,
  }));
}

function boundaryOut(arn: string | undefined): { PermissionsBoundary?: Api.AttachedPermissionsBoundary } {
  return arn === undefined
    ? {}
    : { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } };
}

export async function getAccountAuthorizationDetails(
  { directory }: IamDeps,
  input: Api.GetAccountAuthorizationDetailsRequest,
): Promise<Api.GetAccountAuthorizationDetailsResponse> {
  const wanted = new Set<string>(
    input.Filter?.length ? input.Filter : ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'],
  );
  const entries: Entry[] = [
    ...directory.users().map((entity) => ({ kind: 'User' as const, entity })),
    ...directory.groups().map((entity) => ({ kind: 'Group' as const, entity })),
    ...directory.roles().map((entity) => ({ kind: 'Role' as const, entity })),
    ...directory
      .policies()
      .filter((p) => !p.awsManaged || attachmentCount(directory, p.arn) > 0 || directory.boundedBy(p.arn).length > 0)
      .map((entity) => ({
        kind: entity.awsManaged ? ('AWSManagedPolicy' as const) : ('LocalManagedPolicy' as const),
        entity,
      })),
  ].filter((e) => wanted.has(e.kind));
  const { page, ...more } = paginate(entries, (e) => `${'UGRLA'.indexOf(e.kind[0]!)}\u0000${e.entity.arn}`, input);
  const result: Api.GetAccountAuthorizationDetailsResponse = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
    ...more,
  };
  for (const entry of page) {
    if (entry.kind === 'User') {
      const u = entry.entity;
      result.UserDetailList!.push({
        Path: u.path,
        UserName: u.name,
        UserId: u.id,
        Arn: u.arn,
        CreateDate: u.createdAt,
        UserPolicyList: inlineList(u),
        GroupList: [...u.groups],
        AttachedManagedPolicies: attachedList(directory, u),
        ...boundaryOut(u.boundary),
        ...tagsOut(u.tags),
      });
    } else if (entry.kind === 'Group') {
      const g = entry.entity;
      result.GroupDetailList!.push({
        Path: g.path,
        GroupName: g.name,
        GroupId: g.id,
        Arn: g.arn,
        CreateDate: g.createdAt,
        GroupPolicyList: inlineList(g),
        AttachedManagedPolicies: attachedList(directory, g),
      });
    } else if (entry.kind === 'Role') {
      const r = entry.entity;
      result.RoleDetailList!.push({
        Path: r.path,
        RoleName: r.name,
        RoleId: r.id,
        Arn: r.arn,
        CreateDate: r.createdAt,
        AssumeRolePolicyDocument: encodeDocument(r.trustPolicy),
        InstanceProfileList: directory
          .instanceProfiles()
          .filter((p) => p.roles.includes(r.name))
          .map((p) => ({
            Path: p.path,
            InstanceProfileName: p.name,
            InstanceProfileId: p.id,
            Arn: p.arn,
            CreateDate: p.createdAt,
            Roles: [],
          })),
        RolePolicyList: inlineList(r),
        AttachedManagedPolicies: attachedList(directory, r),
        ...boundaryOut(r.boundary),
        ...tagsOut(r.tags),
        RoleLastUsed: {},
      });
    } else {
      const p = entry.entity;
      result.Policies!.push({
        PolicyName: p.name,
        PolicyId: p.id,
        Arn: p.arn,
        Path: p.path,
        DefaultVersionId: p.defaultVersionId,
        AttachmentCount: attachmentCount(directory, p.arn),
        PermissionsBoundaryUsageCount: directory.boundedBy(p.arn).length,
        IsAttachable: true,
        ...(p.description !== undefined ? { Description: p.description } : {}),
        CreateDate: p.createdAt,
        UpdateDate: p.updatedAt,
        PolicyVersionList: p.versions.map((v) => ({
          Document: encodeDocument(v.document),
          VersionId: v.versionId,
          IsDefaultVersion: v.versionId === p.defaultVersionId,
          CreateDate: v.createdAt,
        })),
      });
    }
  }
  return result;
}
