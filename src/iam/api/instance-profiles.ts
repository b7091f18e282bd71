import type { IamDirectory } from '../directory.ts';
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  LimitExceededException,
  NoSuchEntityException,
} from '../errors.ts';
import type { InstanceProfile } from '../model/entities.ts';
import { iamArn, nameKey, newUniqueId } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import {
  checkPath,
  checkTags,
  type IamDeps,
  paginate,
  requireInstanceProfile,
  requireRole,
  tagEntity,
  tagPage,
  tagsOut,
  underPath,
  untagEntity,
} from './common.ts';
import { roleOut } from './roles.ts';

/* Instance profiles: a container for one role, what an EC2 instance (a Berth agent's host) runs as. */

function profileOut(
  directory: IamDirectory,
  profile: InstanceProfile,
  options: { tags?: boolean } = {},
): Api.InstanceProfile {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: profile.createdAt,
    Roles: profile.roles.flatMap((name) => {
      const role = directory.role(name);
      return role ? [roleOut(role)] : [];
    }),
    ...(options.tags ? tagsOut(profile.tags) : {}),
  };
}

export async function createInstanceProfile(
  { directory }: IamDeps,
  input: Api.CreateInstanceProfileRequest,
): Promise<Api.CreateInstanceProfileResponse> {
  const path = checkPath(input.Path);
  const tags = checkTags(input.Tags);
  return directory.update(() => {
    if (directory.instanceProfile(input.InstanceProfileName))
      throw new EntityAlreadyExistsException(`Instance Profile ${input.InstanceProfileName} already exists.`);
    const profile: InstanceProfile = {
      kind: 'instance-profile',
      name: input.InstanceProfileName,
      arn: iamArn(directory.accountId, 'instance-profile', path, input.InstanceProfileName),
      id: newUniqueId('AIPA'),
      path,
      createdAt: directory.now(),
      roles: [],
      tags,
    };
    return { changes: { put: [profile] }, result: { InstanceProfile: profileOut(directory, profile, { tags: true }) } };
  });
}

export async function getInstanceProfile(
  { directory }: IamDeps,
  input: Api.GetInstanceProfileRequest,
): Promise<Api.GetInstanceProfileResponse> {
  const profile = requireInstanceProfile(directory, input.InstanceProfileName);
  return { InstanceProfile: profileOut(directory, profile, { tags: true }) };
}

export async function listInstanceProfiles(
  { directory }: IamDeps,
  input: Api.ListInstanceProfilesRequest,
): Promise<Api.ListInstanceProfilesResponse> {
  const profiles = underPath(directory.instanceProfiles(), input.PathPrefix);
  const { page, ...more } = paginate(profiles, (p) => p.name, input);
  return { InstanceProfiles: page.map((p) => profileOut(directory, p)), ...more };
}

export async function deleteInstanceProfile(
  { directory }: IamDeps,
  input: Api.DeleteInstanceProfileRequest,
): Promise<void> {
  await directory.update(() => {
    const profile = requireInstanceProfile(directory, input.InstanceProfileName);
    if (profile.roles.length > 0)
      throw new DeleteConflictException('Cannot delete entity, must remove roles from instance profile first.');
    return { changes: { remove: [profile] }, result: undefined };
  });
}

export async function addRoleToInstanceProfile(
  { directory }: IamDeps,
  input: Api.AddRoleToInstanceProfileRequest,
): Promise<void> {
  await directory.update(() => {
    const profile = requireInstanceProfile(directory, input.InstanceProfileName);
    const role = requireRole(directory, input.RoleName);
    if (profile.roles.length >= 1) throw LimitExceededException.quota('InstanceSessionsPerInstanceProfile', 1);
    return { changes: { put: [{ ...profile, roles: [role.name] }] }, result: undefined };
  });
}

export async function removeRoleFromInstanceProfile(
  { directory }: IamDeps,
  input: Api.RemoveRoleFromInstanceProfileRequest,
): Promise<void> {
  await directory.update(() => {
    const profile = requireInstanceProfile(directory, input.InstanceProfileName);
    const role = requireRole(directory, input.RoleName);
    if (!profile.roles.some((name) => nameKey(name) === nameKey(role.name)))
      throw new NoSuchEntityException(`The role with name ${role.name} cannot be found in the instance profile.`);
    const roles = profile.roles.filter((name) => nameKey(name) !== nameKey(role.name));
    return { changes: { put: [{ ...profile, roles }] }, result: undefined };
  });
}

export async function listInstanceProfilesForRole(
  { directory }: IamDeps,
  input: Api.ListInstanceProfilesForRoleRequest,
): Promise<Api.ListInstanceProfilesForRoleResponse> {
  const role = requireRole(directory, input.RoleName);
  const profiles = directory.instanceProfiles().filter((p) => p.roles.some((n) => nameKey(n) === nameKey(role.name)));
  const { page, ...more } = paginate(profiles, (p) => p.name, input);
  return { InstanceProfiles: page.map((p) => profileOut(directory, p)), ...more };
}

export async function tagInstanceProfile({ directory }: IamDeps, input: Api.TagInstanceProfileRequest): Promise<void> {
  await tagEntity(directory, () => requireInstanceProfile(directory, input.InstanceProfileName), input.Tags);
}

export async function untagInstanceProfile(
  { directory }: IamDeps,
  input: Api.UntagInstanceProfileRequest,
): Promise<void> {
  await untagEntity(directory, () => requireInstanceProfile(directory, input.InstanceProfileName), input.TagKeys);
}

export async function listInstanceProfileTags(
  { directory }: IamDeps,
  input: Api.ListInstanceProfileTagsRequest,
): Promise<Api.ListInstanceProfileTagsResponse> {
  return tagPage(requireInstanceProfile(directory, input.InstanceProfileName).tags, input);
}
