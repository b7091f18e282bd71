/** Who signed a request: the account's root, or an IAM-style user of the account. */
export interface Principal {
  /** arn:aws:iam::ACCOUNT:root, or arn:aws:iam::ACCOUNT:user/NAME. */
  readonly arn: string;
  readonly root: boolean;
}

export function rootPrincipal(accountId: string): Principal {
  return { arn: `arn:aws:iam::${accountId}:root`, root: true };
}
