import type { Principal } from '../../shared/principal.ts';

export interface RequestFacts {
  readonly now: Date;
  readonly sourceIp?: string;
  readonly secureTransport?: boolean;
  /** The user's or the role's tags; a role session's own tags (principal.session.tags) win over them. */
  readonly principalTags?: Readonly<Record<string, string>>;
}

const PRINCIPAL_TYPES = { root: 'Account', user: 'User', 'assumed-role': 'AssumedRole' } as const;

/**
 * The global condition keys of a request (IAM User Guide, "AWS global condition context keys"),
 * then the service's keys on top. aws:PrincipalArn of a role session is its role's ARN ("the ARN of
 * the role that was assumed, and not the ARN of the resulting session"); aws:username exists for
 * users only; aws:userid is the account for root, AIDA… for a user, AROA…:SESSION for a session.
 * aws:TokenIssueTime and aws:MultiFactorAuthPresent are left out: Berth knows neither when a
 * session's token was issued nor of MFA, and an absent key is what AWS gives long-term keys.
 */
export function requestContext(
  principal: Principal,
  facts: RequestFacts,
  serviceKeys: Readonly<Record<string, string | readonly string[]>> = {},
): Record<string, string | readonly string[]> {
  const context: Record<string, string | readonly string[]> = {
    'aws:PrincipalArn': principal.session?.roleArn ?? principal.arn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': PRINCIPAL_TYPES[principal.kind],
    'aws:userid': principal.userId,
    'aws:CurrentTime': facts.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.now.getTime() / 1000)),
  };
  if (principal.kind === 'user' && principal.userName !== undefined) context['aws:username'] = principal.userName;
  if (facts.sourceIp !== undefined) context['aws:SourceIp'] = facts.sourceIp;
  if (facts.secureTransport !== undefined) context['aws:SecureTransport'] = String(facts.secureTransport);
  const tags = { ...facts.principalTags, ...principal.session?.tags };
  for (const [key, value] of Object.entries(tags)) context[`aws:PrincipalTag/${key}`] = value;
  return Object.assign(context, serviceKeys);
}
