import type { IamDirectory } from '../directory.ts';
import type { IamGroup, IamRole, IamUser } from '../model/entities.ts';
import { requireGroup, requireRole, requireUser } from './common.ts';
import { requireModifiableRole } from './roles.ts';

/*
 * Users, groups and roles alike hold inline policies and attached managed policies: the inline
 * and attach operations are written once over this description of each kind.
 */
export interface HolderKind {
  readonly kind: 'user' | 'group' | 'role';
  /** IAM's own word in quotas: PoliciesPerUser. */
  readonly quotaWord: 'User' | 'Group' | 'Role';
  /** Aggregate inline policy size IAM allows (characters, without whitespace). */
  readonly inlineQuota: number;
  find(directory: IamDirectory, name: string): IamUser | IamGroup | IamRole;
  /** For writes: a service-linked role is AWS's to change. */
  findForWrite(directory: IamDirectory, name: string): IamUser | IamGroup | IamRole;
}

export const USERS: HolderKind = {
  kind: 'user',
  quotaWord: 'User',
  inlineQuota: 2048,
  find: requireUser,
  findForWrite: requireUser,
};

export const GROUPS: HolderKind = {
  kind: 'group',
  quotaWord: 'Group',
  inlineQuota: 5120,
  find: requireGroup,
  findForWrite: requireGroup,
};

export const ROLES: HolderKind = {
  kind: 'role',
  quotaWord: 'Role',
  inlineQuota: 10240,
  find: requireRole,
  findForWrite: requireModifiableRole,
};

/** Managed policies attached to one user, group or role at most (IAM's default quota). */
export const MAX_ATTACHED = 10;
