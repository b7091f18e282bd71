import type { Clock } from '../shared/clock.ts';
import { assumedRolePrincipal } from './session-principal.ts';
import type { RoleLookup, AssumableRole } from './roles.ts';
import type { SessionDirectory, TemporaryCredentials } from './sessions.ts';

/** A role session an AWS service made for its own use: a task role's, or a task execution role's. */
export interface ServiceRoleCredentials extends TemporaryCredentials {
  readonly roleArn: string;
}

/**
 * Whether the role's trust policy lets the service (ecs-tasks.amazonaws.com) assume it, with the
 * condition keys a service sets against the confused deputy (aws:SourceAccount, aws:SourceArn).
 */
export type ServiceTrust<P> = (
  role: AssumableRole<P>,
  service: string,
  context: Readonly<Record<string, string>>,
) => boolean;

/** A role a service may not assume (absent, or its trust policy does not name the service). */
export class ServiceRoleUnassumable extends Error {
  override readonly name = 'ServiceRoleUnassumable';
  readonly roleArn: string;
  constructor(roleArn: string, why: string) {
    super(`${roleArn}: ${why}`);
    this.roleArn = roleArn;
  }
}

/** How long a task's role sessions last; the agent renews them before they end. */
export const SERVICE_SESSION_SECONDS = 6 * 60 * 60;

/**
 * STS's side of a service assuming a role on a customer's behalf, as ECS assumes a task's roles:
 * the role's trust policy must allow the service principal sts:AssumeRole (no identity policy is
 * involved: the service is no IAM identity), and the session (arn:aws:sts::ACCOUNT:assumed-role/
 * ROLE/SESSION) is owned by what it was made for, so that it can be revoked with it.
 */
export class ServiceRoleSessions<P> {
  readonly #roles: RoleLookup<P>;
  readonly #sessions: SessionDirectory;
  readonly #clock: Clock;
  readonly #trusts: ServiceTrust<P>;
  readonly #seconds: number;

  constructor(options: {
    readonly roles: RoleLookup<P>;
    readonly sessions: SessionDirectory;
    readonly clock: Clock;
    readonly trusts: ServiceTrust<P>;
    /** SERVICE_SESSION_SECONDS unless a test shortens it. */
    readonly sessionSeconds?: number | undefined;
  }) {
    this.#roles = options.roles;
    this.#sessions = options.sessions;
    this.#clock = options.clock;
    this.#trusts = options.trusts;
    this.#seconds = options.sessionSeconds ?? SERVICE_SESSION_SECONDS;
  }

  /** Throws ServiceRoleUnassumable when the role is gone or does not trust the service. */
  async issue(request: {
    readonly roleArn: string;
    readonly service: string;
    readonly sessionName: string;
    /** The ARN the session is for (an ECS task): aws:SourceArn, and it ends the session (revoke). */
    readonly owner: string;
  }): Promise<ServiceRoleCredentials> {
    const role = this.#roles.roleByArn(request.roleArn);
    if (role === undefined) throw new ServiceRoleUnassumable(request.roleArn, 'the role does not exist');
    const context = { 'aws:SourceAccount': role.arn.split(':')[4] ?? '', 'aws:SourceArn': request.owner };
    if (!this.#trusts(role, request.service, context)) {
      throw new ServiceRoleUnassumable(request.roleArn, `its trust policy does not allow ${request.service}`);
    }
    const expiresAt = new Date(this.#clock.now().getTime() + this.#seconds * 1000);
    const principal = assumedRolePrincipal(role, { sessionName: request.sessionName, expiresAt });
    const credentials = await this.#sessions.issue({
      principal,
      kind: 'assumed-role',
      sourceAccessKeyId: request.service,
      expiresAt,
      owner: request.owner,
    });
    return { ...credentials, roleArn: role.arn };
  }

  /** Ends every session made for `owner`. */
  revoke(owner: string): Promise<number> {
    return this.#sessions.revokeOwnedBy(owner);
  }
}
