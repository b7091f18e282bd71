import { LimitExceededException, NoSuchEntityException } from '../errors.ts';
import { encodeDocument, sizeWithoutWhitespace } from '../model/documents.ts';
import { omit, paginate, type IamDeps } from './common.ts';
import { GROUPS, ROLES, USERS, type HolderKind } from './holders.ts';

/*
 * Inline policies of users, groups and roles: Put/Get/List/Delete{User,Group,Role}Policy. A
 * document is parsed as an identity policy before it is stored, and the holder's inline policies
 * together stay within IAM's size quota for its kind.
 */

type Named = { UserName?: string; GroupName?: string; RoleName?: string };

function holderName(kind: HolderKind, input: Named): string {
  return (kind.kind === 'user' ? input.UserName : kind.kind === 'group' ? input.GroupName : input.RoleName) ?? '';
}

function put(kind: HolderKind) {
  return async (
    { directory }: IamDeps,
    input: Named & { PolicyName: string; PolicyDocument: string },
  ): Promise<void> => {
    directory.compile(input.PolicyDocument, 'identity');
    await directory.update(() => {
      const holder = kind.findForWrite(directory, holderName(kind, input));
      const inline = { ...holder.inline, [input.PolicyName]: input.PolicyDocument };
      const size = Object.values(inline).reduce((sum, text) => sum + sizeWithoutWhitespace(text), 0);
      if (size > kind.inlineQuota)
        throw new LimitExceededException(
          `Maximum policy size of ${kind.inlineQuota} bytes exceeded for ${kind.kind} ${holder.name}`,
        );
      return { changes: { put: [{ ...holder, inline }] }, result: undefined };
    });
  };
}

function missing(kind: HolderKind, name: string): NoSuchEntityException {
  return new NoSuchEntityException(`The ${kind.kind} policy with name ${name} cannot be found.`);
}

function get(kind: HolderKind) {
  return async ({ directory }: IamDeps, input: Named & { PolicyName: string }) => {
    const holder = kind.find(directory, holderName(kind, input));
    const document = holder.inline[input.PolicyName];
    if (document === undefined) throw missing(kind, input.PolicyName);
    const owner = kind.kind === 'user' ? 'UserName' : kind.kind === 'group' ? 'GroupName' : 'RoleName';
    return { [owner]: holder.name, PolicyName: input.PolicyName, PolicyDocument: encodeDocument(document) };
  };
}

function list(kind: HolderKind) {
  return async ({ directory }: IamDeps, input: Named & { Marker?: string; MaxItems?: number }) => {
    const holder = kind.find(directory, holderName(kind, input));
    const { page, ...more } = paginate(Object.keys(holder.inline).sort(), (name) => name, input);
    return { PolicyNames: page, ...more };
  };
}

function remove(kind: HolderKind) {
  return async ({ directory }: IamDeps, input: Named & { PolicyName: string }): Promise<void> => {
    await directory.update(() => {
      const holder = kind.findForWrite(directory, holderName(kind, input));
      if (holder.inline[input.PolicyName] === undefined) throw missing(kind, input.PolicyName);
      const inline = omit(holder.inline, input.PolicyName);
      return { changes: { put: [{ ...holder, inline }] }, result: undefined };
    });
  };
}

export const putUserPolicy = put(USERS);
export const putGroupPolicy = put(GROUPS);
export const putRolePolicy = put(ROLES);
export const getUserPolicy = get(USERS);
export const getGroupPolicy = get(GROUPS);
export const getRolePolicy = get(ROLES);
export const listUserPolicies = list(USERS);
export const listGroupPolicies = list(GROUPS);
export const listRolePolicies = list(ROLES);
export const deleteUserPolicy = remove(USERS);
export const deleteGroupPolicy = remove(GROUPS);
export const deleteRolePolicy = remove(ROLES);
