import type { RequestContext } from '../../shared/request-context.ts';
import { DeleteConflictException, EntityAlreadyExistsException } from '../errors.ts';
import type { IamUser } from '../model/entities.ts';
import { iamArn, newUniqueId } from '../model/names.ts';
import type * as Api from '../shapes.generated.ts';
import {
  checkPath,
  checkTags,
  type IamDeps,
  omit,
  paginate,
  requireAttachable,
  requireUser,
  tagEntity,
  tagPage,
  tagsOut,
  underPath,
  untagEntity,
} from './common.ts';

export function userOut(user: IamUser, options: { tags?: boolean } = {}): Api.User {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.id,
    Arn: user.arn,
    CreateDate: user.createdAt,
    ...(user.boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
            PermissionsBoundaryArn: user.boundary,
          },
        }
      : {}),
    ...(options.tags ? tagsOut(user.tags) : {}),
  };
}

export async function createUser(
  { directory }: IamDeps,
  input: Api.CreateUserRequest,
): Promise<Api.CreateUserResponse> {
  const path = checkPath(input.Path);
  const tags = checkTags(input.Tags);
  return directory.update(() => {
    if (directory.user(input.UserName))
      throw new EntityAlreadyExistsException(`User with name ${input.UserName} already exists.`);
    if (input.PermissionsBoundary !== undefined) requireAttachable(directory, input.PermissionsBoundary);
    const user: IamUser = {
      kind: 'user',
      name: input.UserName,
      arn: iamArn(directory.accountId, 'user', path, input.UserName),
      id: newUniqueId('AIDA'),
      path,
      createdAt: directory.now(),
      tags,
      inline: {},
      attached: [],
      groups: [],
      ...(input.PermissionsBoundary !== undefined ? { boundary: input.PermissionsBoundary } : {}),
    };
    return { changes: { put: [user] }, result: { User: userOut(user, { tags: true }) } };
  });
}

/** GetUser without a name describes the caller: a user, or the account's root. */
export async function getUser(
  { directory }: IamDeps,
  input: Api.GetUserRequest,
  context: RequestContext,
): Promise<Api.GetUserResponse> {
  const name = input.UserName ?? context.principal.userName;
  if (name === undefined) {
    return {
      User: { UserId: context.accountId, Arn: context.principal.arn, CreateDate: new Date(0) } as Api.User,
    };
  }
  return { User: userOut(requireUser(directory, name), { tags: true }) };
}

export async function listUsers({ directory }: IamDeps, input: Api.ListUsersRequest): Promise<Api.ListUsersResponse> {
  const { page, ...more } = paginate(underPath(directory.users(), input.PathPrefix), (u) => u.name, input);
  return { Users: page.map((u) => userOut(u)), ...more };
}

export async function updateUser({ directory }: IamDeps, input: Api.UpdateUserRequest): Promise<void> {
  const newPath = input.NewPath === undefined ? undefined : checkPath(input.NewPath);
  await directory.update(() => {
    const user = requireUser(directory, input.UserName);
    const name = input.NewUserName ?? user.name;
    const path = newPath ?? user.path;
    const taken = directory.user(name);
    if (taken && taken !== user) throw new EntityAlreadyExistsException(`User with name ${name} already exists.`);
    const renamed: IamUser = { ...user, name, path, arn: iamArn(directory.accountId, 'user', path, name) };
    const keys = directory.accessKeysOf(user.name).map((key) => ({ ...key, userName: name }));
    return { changes: { remove: [user], put: [renamed], putKeys: keys }, result: undefined };
  });
}

export async function deleteUser({ directory }: IamDeps, input: Api.DeleteUserRequest): Promise<void> {
  await directory.update(() => {
    const user = requireUser(directory, input.UserName);
    if (directory.accessKeysOf(user.name).length > 0)
      throw new DeleteConflictException('Cannot delete entity, must delete access keys first.');
    if (Object.keys(user.inline).length > 0)
      throw new DeleteConflictException('Cannot delete entity, must delete policies first.');
    if (user.attached.length > 0)
      throw new DeleteConflictException('Cannot delete entity, must detach all policies first.');
    if (user.groups.length > 0)
      throw new DeleteConflictException('Cannot delete entity, must remove user from all groups first.');
    return { changes: { remove: [user] }, result: undefined };
  });
}

export async function tagUser({ directory }: IamDeps, input: Api.TagUserRequest): Promise<void> {
  await tagEntity(directory, () => requireUser(directory, input.UserName), input.Tags);
}

export async function untagUser({ directory }: IamDeps, input: Api.UntagUserRequest): Promise<void> {
  await untagEntity(directory, () => requireUser(directory, input.UserName), input.TagKeys);
}

export async function listUserTags(
  { directory }: IamDeps,
  input: Api.ListUserTagsRequest,
): Promise<Api.ListUserTagsResponse> {
  return tagPage(requireUser(directory, input.UserName).tags, input);
}

export async function putUserPermissionsBoundary(
  { directory }: IamDeps,
  input: Api.PutUserPermissionsBoundaryRequest,
): Promise<void> {
  await directory.update(() => {
    const user = requireUser(directory, input.UserName);
    requireAttachable(directory, input.PermissionsBoundary);
    return { changes: { put: [{ ...user, boundary: input.PermissionsBoundary }] }, result: undefined };
  });
}

export async function deleteUserPermissionsBoundary(
  { directory }: IamDeps,
  input: Api.DeleteUserPermissionsBoundaryRequest,
): Promise<void> {
  await directory.update(() => {
    const user = omit(requireUser(directory, input.UserName), 'boundary');
    return { changes: { put: [user] }, result: undefined };
  });
}
