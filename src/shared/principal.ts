/**
 * Who signed a request: the account's root, an IAM user, or a session of an IAM role (STS
 * AssumeRole). What the policy evaluator knows the caller by: the global condition keys
 * aws:PrincipalArn, aws:PrincipalAccount, aws:userid and aws:username come from here.
 */
export interface Principal {
  /**
   * arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/PATH/NAME, or for a role session
   * arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
   */
  readonly arn: string;
  readonly root: boolean;
  readonly kind: PrincipalKind;
  readonly accountId: string;
  /** aws:userid: the account id for root, AIDA… for a user, AROA…:SESSION for a role session. */
  readonly userId: string;
  /** aws:username: the user's name (users only). */
  readonly userName?: string;
  /** The role session this principal is (assumed-role principals only). */
  readonly session?: RoleSession;
}

export type PrincipalKind = 'root' | 'user' | 'assumed-role';

export interface RoleSession {
  /** arn:aws:iam::ACCOUNT:role/PATH/NAME: aws:PrincipalArn of a session is its role's ARN. */
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly expiresAt: Date;
  /** The session policy's text (AssumeRole Policy), a limit on the role's permissions. */
  readonly policy?: string;
  /** Session tags (aws:PrincipalTag/* takes them over the role's own tags). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly sourceIdentity?: string;
}

export function rootPrincipal(accountId: string): Principal {
  return { arn: `arn:aws:iam::${accountId}:root`, root: true, kind: 'root', accountId, userId: accountId };
}

/** An IAM user of the account (userId is IAM's AIDA… unique id). */
export function userPrincipal(user: { arn: string; userId: string; name: string }): Principal {
  const accountId = user.arn.split(':')[4] ?? '';
  return { arn: user.arn, root: false, kind: 'user', accountId, userId: user.userId, userName: user.name };
}

/** Stands for a caller whose key is known but whose owner is not: it is granted nothing. */
export function unknownPrincipal(accountId: string): Principal {
  return { arn: 'unknown', root: false, kind: 'user', accountId, userId: 'unknown' };
}
