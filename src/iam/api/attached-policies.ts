import { LimitExceededException, NoSuchEntityException } from '../errors.ts';
import { paginate, requireAttachable, type IamDeps } from './common.ts';
import { GROUPS, MAX_ATTACHED, ROLES, USERS, type HolderKind } from './holders.ts';

/* Managed policies attached to users, groups and roles: {Attach,Detach,ListAttached}{User,Group,Role}Polic{y,ies}. */

type Named = { UserName?: string; GroupName?: string; RoleName?: string };

function holderName(kind: HolderKind, input: Named): string {
  return (kind.kind === 'user' ? input.UserName : kind.kind === 'group' ? input.GroupName : input.RoleName) ?? '';
}

function attach(kind: HolderKind) {
  return async ({ directory }: IamDeps, input: Named & { PolicyArn: string }): Promise<void> => {
    await directory.update(() => {
      const holder = kind.findForWrite(directory, holderName(kind, input));
      requireAttachable(directory, input.PolicyArn);
      if (holder.attached.includes(input.PolicyArn)) return { changes: {}, result: undefined };
      if (holder.attached.length >= MAX_ATTACHED)
        throw LimitExceededException.quota(`PoliciesPer${kind.quotaWord}`, MAX_ATTACHED);
      return { changes: { put: [{ ...holder, attached: [...holder.attached, input.PolicyArn] }] }, result: undefined };
    });
  };
}

function detach(kind: HolderKind) {
  return async ({ directory }: IamDeps, input: Named & { PolicyArn: string }): Promise<void> => {
    await directory.update(() => {
      const holder = kind.findForWrite(directory, holderName(kind, input));
      if (!holder.attached.includes(input.PolicyArn))
        throw new NoSuchEntityException(`Policy ${input.PolicyArn} was not found.`);
      const attached = holder.attached.filter((arn) => arn !== input.PolicyArn);
      return { changes: { put: [{ ...holder, attached }] }, result: undefined };
    });
  };
}

function list(kind: HolderKind) {
  return async ({ directory }: IamDeps, input: Named & { PathPrefix?: string; Marker?: string; MaxItems?: number }) => {
    const holder = kind.find(directory, holderName(kind, input));
    const policies = holder.attached
      .map((arn) => directory.policy(arn))
      .filter((p) => p !== undefined && (input.PathPrefix === undefined || p.path.startsWith(input.PathPrefix)))
      .map((p) => ({ PolicyName: p!.name, PolicyArn: p!.arn }))
      .sort((a, b) => (a.PolicyArn < b.PolicyArn ? -1 : 1));
    const { page, ...more } = paginate(policies, (p) => p.PolicyArn, input);
    return { AttachedPolicies: page, ...more };
  };
}

export const attachUserPolicy = attach(USERS);
export const attachGroupPolicy = attach(GROUPS);
export const attachRolePolicy = attach(ROLES);
export const detachUserPolicy = detach(USERS);
export const detachGroupPolicy = detach(GROUPS);
export const detachRolePolicy = detach(ROLES);
export const listAttachedUserPolicies = list(USERS);
export const listAttachedGroupPolicies = list(GROUPS);
export const listAttachedRolePolicies = list(ROLES);
