import { DeleteConflictException, EntityAlreadyExistsException } from '../errors.ts';
import type { IamGroup } from '../model/entities.ts';
import { iamArn, nameKey, newUniqueId } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import { checkPath, paginate, requireGroup, requireUser, underPath, type IamDeps } from './common.ts';
import { userOut } from './users.ts';

export function groupOut(group: IamGroup): Api.Group {
  return { Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: group.createdAt };
}

export async function createGroup(
  { directory }: IamDeps,
  input: Api.CreateGroupRequest,
): Promise<Api.CreateGroupResponse> {
  const path = checkPath(input.Path);
  return directory.update(() => {
    if (directory.group(input.GroupName))
      throw new EntityAlreadyExistsException(`Group with name ${input.GroupName} already exists.`);
    const group: IamGroup = {
      kind: 'group',
      name: input.GroupName,
      arn: iamArn(directory.accountId, 'group', path, input.GroupName),
      id: newUniqueId('AGPA'),
      path,
      createdAt: directory.now(),
      inline: {},
      attached: [],
    };
    return { changes: { put: [group] }, result: { Group: groupOut(group) } };
  });
}

/** The group and its users, the users paged. */
export async function getGroup({ directory }: IamDeps, input: Api.GetGroupRequest): Promise<Api.GetGroupResponse> {
  const group = requireGroup(directory, input.GroupName);
  const { page, ...more } = paginate(directory.membersOf(group.name), (u) => u.name, input);
  return { Group: groupOut(group), Users: page.map((u) => userOut(u)), ...more };
}

export async function listGroups(
  { directory }: IamDeps,
  input: Api.ListGroupsRequest,
): Promise<Api.ListGroupsResponse> {
  const { page, ...more } = paginate(underPath(directory.groups(), input.PathPrefix), (g) => g.name, input);
  return { Groups: page.map(groupOut), ...more };
}

export async function updateGroup({ directory }: IamDeps, input: Api.UpdateGroupRequest): Promise<void> {
  const newPath = input.NewPath === undefined ? undefined : checkPath(input.NewPath);
  await directory.update(() => {
    const group = requireGroup(directory, input.GroupName);
    const name = input.NewGroupName ?? group.name;
    const path = newPath ?? group.path;
    const taken = directory.group(name);
    if (taken && taken !== group) throw new EntityAlreadyExistsException(`Group with name ${name} already exists.`);
    const renamed: IamGroup = { ...group, name, path, arn: iamArn(directory.accountId, 'group', path, name) };
    // Membership is kept on the users: they follow the new name.
    const members = directory
      .membersOf(group.name)
      .map((u) => ({ ...u, groups: u.groups.map((g) => (nameKey(g) === nameKey(group.name) ? name : g)) }));
    return { changes: { remove: [group], put: [renamed, ...members] }, result: undefined };
  });
}

export async function deleteGroup({ directory }: IamDeps, input: Api.DeleteGroupRequest): Promise<void> {
  await directory.update(() => {
    const group = requireGroup(directory, input.GroupName);
    if (directory.membersOf(group.name).length > 0)
      throw new DeleteConflictException('Cannot delete entity, must remove users from group first.');
    if (Object.keys(group.inline).length > 0)
      throw new DeleteConflictException('Cannot delete entity, must delete policies first.');
    if (group.attached.length > 0)
      throw new DeleteConflictException('Cannot delete entity, must detach all policies first.');
    return { changes: { remove: [group] }, result: undefined };
  });
}

export async function addUserToGroup({ directory }: IamDeps, input: Api.AddUserToGroupRequest): Promise<void> {
  await directory.update(() => {
    const group = requireGroup(directory, input.GroupName);
    const user = requireUser(directory, input.UserName);
    if (user.groups.some((g) => nameKey(g) === nameKey(group.name))) return { changes: {}, result: undefined };
    return { changes: { put: [{ ...user, groups: [...user.groups, group.name] }] }, result: undefined };
  });
}

export async function removeUserFromGroup(
  { directory }: IamDeps,
  input: Api.RemoveUserFromGroupRequest,
): Promise<void> {
  await directory.update(() => {
    const group = requireGroup(directory, input.GroupName);
    const user = requireUser(directory, input.UserName);
    const groups = user.groups.filter((g) => nameKey(g) !== nameKey(group.name));
    return { changes: { put: [{ ...user, groups }] }, result: undefined };
  });
}

export async function listGroupsForUser(
  { directory }: IamDeps,
  input: Api.ListGroupsForUserRequest,
): Promise<Api.ListGroupsForUserResponse> {
  const user = requireUser(directory, input.UserName);
  const groups = directory.groups().filter((g) => user.groups.some((name) => nameKey(name) === nameKey(g.name)));
  const { page, ...more } = paginate(groups, (g) => g.name, input);
  return { Groups: page.map(groupOut), ...more };
}
