import type { Principal } from '../../shared/principal.ts';
import { malformed } from './errors.ts';

/**
 * The Principal / NotPrincipal element of resource-based and trust policies (IAM User Guide,
 * "AWS JSON policy elements: Principal"): "*", {"AWS": ...} with "*", an account id,
 * arn:aws:iam::ACCOUNT:root, user, role, assumed-role session and federated-user ARNs,
 * {"Service": "ecs-tasks.amazonaws.com"}, {"Federated": ...} and {"CanonicalUser": ...} (parsed,
 * never matching a Berth caller).
 */
export interface PrincipalSet {
  readonly anyone: boolean;
  readonly accounts: ReadonlySet<string>;
  /** User, assumed-role session and federated-user ARNs: principals named exactly. */
  readonly exact: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
}

/**
 * How a statement's Principal names the caller, which decides what its Allow is worth (IAM User
 * Guide, "Policy evaluation logic", step "Resource-based policies"): `direct` names the user or the
 * session itself (or everyone) and grants regardless of an implicit deny elsewhere; `role` names a
 * session's role, a grant limited by the permissions boundary and the session policy; `account`
 * delegates to the account, whose identity-based policies must then allow.
 */
export type PrincipalMatch = 'direct' | 'role' | 'account' | 'none';

/** Who is asking, in the terms Principal elements use. */
export interface Caller {
  readonly principal: Principal;
  /** An AWS service principal (ecs-tasks.amazonaws.com) instead of an IAM identity. */
  readonly service?: string;
}

const ACCOUNT = /^\d{12}$/;
const NAME = String.raw`[\w+=,.@-]+`;
const AWS_PRINCIPAL = new RegExp(
  String.raw`^arn:aws:(iam::\d{12}:(root|user/(${NAME}/)*${NAME}|role/(${NAME}/)*${NAME})|sts::\d{12}:(assumed-role/${NAME}/${NAME}|federated-user/${NAME}))$`,
);
const SERVICE = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;

export function parsePrincipal(value: unknown): PrincipalSet {
  const set = {
    anyone: false,
    accounts: new Set<string>(),
    exact: new Set<string>(),
    roles: new Set<string>(),
    services: new Set<string>(),
  };
  if (value === '*') return { ...set, anyone: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  for (const [type, entries] of Object.entries(value as Record<string, unknown>)) {
    for (const entry of stringList(entries)) {
      if (type === 'AWS') addAws(set, entry);
      else if (type === 'Service') {
        if (!SERVICE.test(entry)) throw invalid('SERVICE', entry);
        set.services.add(entry.toLowerCase());
      } else if (type !== 'Federated' && type !== 'CanonicalUser') throw malformed();
    }
  }
  return set;
}

function addAws(
  set: { anyone: boolean; accounts: Set<string>; exact: Set<string>; roles: Set<string> },
  entry: string,
): void {
  if (entry === '*') set.anyone = true;
  else if (ACCOUNT.test(entry)) set.accounts.add(entry);
  else if (!AWS_PRINCIPAL.test(entry)) throw invalid('AWS', entry);
  else if (entry.endsWith(':root')) set.accounts.add(entry.split(':')[4]!);
  else if (entry.split(':')[5]!.startsWith('role/')) set.roles.add(entry);
  else set.exact.add(entry);
}

/** IAM's words for a principal it cannot resolve. */
function invalid(type: string, entry: string): Error {
  return malformed(`Invalid principal in policy: "${type}":${JSON.stringify(entry)}`);
}

function stringList(value: unknown): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) throw malformed();
  return list as string[];
}

/** How a Principal element names the caller (the strongest way, when it names it several ways). */
export function principalMatch(set: PrincipalSet, caller: Caller): PrincipalMatch {
  if (set.anyone) return 'direct';
  if (caller.service !== undefined) return set.services.has(caller.service.toLowerCase()) ? 'direct' : 'none';
  const { principal } = caller;
  if (set.exact.has(principal.arn)) return 'direct';
  if (principal.session !== undefined && set.roles.has(principal.session.roleArn)) return 'role';
  if (set.accounts.has(principal.accountId)) return principal.root ? 'direct' : 'account';
  return 'none';
}

/**
 * Whether a NotPrincipal element leaves the caller out. With Deny, AWS "might validate the account
 * first and then the user", and for a role session the role too (IAM User Guide, "AWS JSON policy
 * elements: NotPrincipal"): the caller is left out only when every identity it has is listed (its
 * ARN, a session's role, its account). With Allow, naming any of them is enough to be left out.
 */
export function isExcluded(set: PrincipalSet, caller: Caller, effect: 'Allow' | 'Deny'): boolean {
  if (set.anyone) return true;
  if (caller.service !== undefined) return set.services.has(caller.service.toLowerCase());
  const { principal } = caller;
  const names = [set.accounts.has(principal.accountId)];
  if (!principal.root) names.push(set.exact.has(principal.arn));
  if (principal.session !== undefined) names.push(set.roles.has(principal.session.roleArn));
  return effect === 'Deny' ? names.every(Boolean) : names.some(Boolean);
}
