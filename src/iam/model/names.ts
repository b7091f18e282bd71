import { randomBytes } from 'node:crypto';

/** IAM's ARNs: arn:aws:iam::ACCOUNT:KIND/PATH/NAME (a path is `/` or `/a/b/`). */
export function iamArn(
  accountId: string,
  kind: 'user' | 'group' | 'role' | 'policy' | 'instance-profile',
  path: string,
  name: string,
): string {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The unique ids IAM gives entities: a prefix (AIDA user, AGPA group, AROA role, ANPA policy, AIPA instance profile) and 17 characters. */
export function newUniqueId(prefix: 'AIDA' | 'AGPA' | 'AROA' | 'ANPA' | 'AIPA'): string {
  let id = prefix;
  for (const byte of randomBytes(17)) id += ID_ALPHABET[byte & 31];
  return id;
}

/** IAM names are unique regardless of case ("MyUser" and "myuser" cannot both exist). */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** The last segment of an IAM ARN's resource: a role ARN's role name. */
export function nameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
