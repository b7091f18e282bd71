/** The keys `berth agent` signs with: an IAM user's, or a role session's (with its token). */
export interface AgentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Session credentials only: sent as X-Amz-Security-Token with every signed call. */
  readonly sessionToken?: string | undefined;
  /** When the session ends (the server's clock); undefined for long-term keys. */
  readonly expiration?: Date | undefined;
}

/** Where each signed call gets its keys: static ones, or a session kept fresh. */
export interface CredentialSource {
  current(): Promise<AgentCredentials>;
}

/** Long-term keys (or a session the operator handed in, which nobody can renew). */
export function staticCredentials(credentials: AgentCredentials): CredentialSource {
  return { current: () => Promise.resolve(credentials) };
}

/** Renew a session this long before it ends, as EC2's instance metadata does (at least 5 minutes). */
export const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

export interface RefreshingCredentialsOptions {
  readonly now: () => Date;
  /** A renewal failed while the held session is still good: it is kept and the renewal retried. */
  readonly onRenewalFailed?: (error: unknown) => void;
}

interface Held {
  readonly credentials: AgentCredentials;
  readonly renewAt: number;
  readonly expiresAt: number;
}

/**
 * A role session renewed before it expires, the way the ECS agent's instance credentials rotate:
 * EC2 hands out the next session well before the last one ends, and the SDK's provider switches
 * to it on the next call. Renewal is lazy (the agent's poll calls at least every 20 s) and single
 * flight; a failed renewal keeps the held session while it lasts and tries again on the next call.
 */
export class RefreshingCredentials implements CredentialSource {
  readonly #issue: () => Promise<AgentCredentials & { readonly expiration: Date }>;
  readonly #options: RefreshingCredentialsOptions;
  #held: Held | undefined;
  #renewing: Promise<Held> | undefined;

  constructor(
    issue: () => Promise<AgentCredentials & { readonly expiration: Date }>,
    options: RefreshingCredentialsOptions,
  ) {
    this.#issue = issue;
    this.#options = options;
  }

  async current(): Promise<AgentCredentials> {
    const now = this.#options.now().getTime();
    const held = this.#held;
    if (held && now < held.renewAt) return held.credentials;
    try {
      return (await this.#renew()).credentials;
    } catch (error) {
      if (!held || this.#options.now().getTime() >= held.expiresAt) throw error;
      this.#options.onRenewalFailed?.(error);
      return held.credentials;
    }
  }

  #renew(): Promise<Held> {
    this.#renewing ??= (async () => {
      try {
        const credentials = await this.#issue();
        const issuedAt = this.#options.now().getTime();
        const expiresAt = credentials.expiration.getTime();
        // A short session (AssumeRole's shortest is 15 minutes) renews half-way through instead.
        const lead = Math.min(RENEW_BEFORE_EXPIRY_MS, Math.max(0, expiresAt - issuedAt) / 2);
        this.#held = { credentials, renewAt: expiresAt - lead, expiresAt };
        return this.#held;
      } finally {
        this.#renewing = undefined;
      }
    })();
    return this.#renewing;
  }
}
