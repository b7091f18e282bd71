import type { Principal, RoleSession } from '../shared/principal.ts';

/** The principal of a role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, aws:userid AROA…:SESSION. */
export function assumedRolePrincipal(
  role: { arn: string; name: string; roleId: string },
  session: Omit<RoleSession, 'roleArn' | 'roleName'>,
): Principal {
  const accountId = role.arn.split(':')[4] ?? '';
  return {
    arn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${session.sessionName}`,
    root: false,
    kind: 'assumed-role',
    accountId,
    userId: `${role.roleId}:${session.sessionName}`,
    session: { roleArn: role.arn, roleName: role.name, ...session },
  };
}

/** A principal as the session store keeps it (JSON: the expiry as ISO 8601). */
export function principalToJson(principal: Principal): Record<string, unknown> {
  const { session, ...rest } = principal;
  return session === undefined
    ? { ...rest }
    : { ...rest, session: { ...session, expiresAt: session.expiresAt.toISOString() } };
}

export function principalFromJson(json: Readonly<Record<string, unknown>>): Principal {
  const { session, ...rest } = json as unknown as Principal & { session?: RoleSession & { expiresAt: string } };
  return session === undefined ? rest : { ...rest, session: { ...session, expiresAt: new Date(session.expiresAt) } };
}
