import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { newAccessKeyId, newSecretAccessKey } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import type { StsSessionRepository } from '../store/index.ts';
import { principalFromJson, principalToJson } from './session-principal.ts';

/** What AssumeRole and GetSessionToken hand out (the API's Credentials). */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/**
 * How a session was made: a role session (AssumeRole), or a user's or the root's own session
 * (GetSessionToken), which acts as its owner but, made without MFA, may not call IAM.
 */
export type SessionKind = 'assumed-role' | 'session-token';

/** The verifier's view of a session (aws-protocol's SessionCredential). */
export interface SessionCredential {
  readonly expiresAt: Date;
  hasToken(token: string): boolean;
  readonly refusedServices?: readonly string[];
}

interface LiveSession {
  readonly secret: string;
  /** What the session was issued for and ends with (an ECS task's ARN), if anything. */
  readonly owner?: string | undefined;
  readonly known: Known;
  readonly principal: Principal;
  readonly kind: SessionKind;
  readonly credential: SessionCredential;
}

/** What is known of a session's token: its hash, and (in memory only) the token once seen. */
interface Known {
  readonly tokenHash: Buffer;
  readonly expiresAt: Date;
  token: string | undefined;
}

/** Expired sessions are kept this long, so that their holders hear ExpiredToken, then swept. */
export const EXPIRED_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 1000;
/** GetSessionToken credentials got without MFA: IAM refuses them, as AWS does. */
const SESSION_TOKEN_REFUSED_SERVICES: readonly string[] = ['iam'];

/**
 * The STS sessions the server has issued, answering for their ASIA… keys as the SigV4 verifier
 * asks (secretFor, principalOf, sessionOf). Kept in memory (one server per data folder) and written
 * through to the store before credentials are handed out, so a restart keeps every session until
 * it expires. Only a live session has a secret and a principal; an expired one is still known, to
 * answer ExpiredToken, until it is swept.
 */
export class SessionDirectory {
  readonly #sessions = new Map<string, LiveSession>();
  readonly #repository: StsSessionRepository;
  readonly #clock: Clock;
  #sweptAt = 0;

  private constructor(repository: StsSessionRepository, clock: Clock) {
    this.#repository = repository;
    this.#clock = clock;
  }

  static async load(repository: StsSessionRepository, options: { clock: Clock }): Promise<SessionDirectory> {
    const directory = new SessionDirectory(repository, options.clock);
    await directory.sweep();
    for (const record of await repository.list()) {
      const kind = record.body.kind === 'session-token' ? 'session-token' : 'assumed-role';
      const principal = principalFromJson(record.body.principal as Record<string, unknown>);
      const owner = typeof record.body.owner === 'string' ? record.body.owner : undefined;
      const known = { tokenHash: Buffer.from(record.tokenHash, 'hex'), expiresAt: record.expiresAt, token: undefined };
      directory.#remember(record.accessKeyId, { secret: record.secretAccessKey, principal, kind, owner }, known);
    }
    return directory;
  }

  /** Makes a session, durable before its credentials are returned. */
  async issue(request: {
    principal: Principal;
    kind: SessionKind;
    sourceAccessKeyId: string;
    expiresAt: Date;
    /** What the session ends with (revokeOwnedBy), e.g. the ECS task a task role session is for. */
    owner?: string | undefined;
  }): Promise<TemporaryCredentials> {
    await this.#sweepNowAndThen();
    const accessKeyId = `ASIA${newAccessKeyId().slice(4)}`;
    const secretAccessKey = newSecretAccessKey();
    const sessionToken = randomBytes(96).toString('base64');
    const tokenHash = hashToken(sessionToken);
    await this.#repository.insert({
      accessKeyId,
      secretAccessKey,
      tokenHash: tokenHash.toString('hex'),
      sourceAccessKeyId: request.sourceAccessKeyId,
      createdAt: this.#clock.now(),
      expiresAt: request.expiresAt,
      body: {
        kind: request.kind,
        principal: principalToJson(request.principal),
        ...(request.owner === undefined ? {} : { owner: request.owner }),
      },
    });
    this.#remember(
      accessKeyId,
      { secret: secretAccessKey, principal: request.principal, kind: request.kind, owner: request.owner },
      { tokenHash, expiresAt: request.expiresAt, token: sessionToken },
    );
    return { accessKeyId, secretAccessKey, sessionToken, expiration: request.expiresAt };
  }

  secretFor(accessKeyId: string): string | undefined {
    return this.#live(accessKeyId)?.secret;
  }

  principalOf(accessKeyId: string): Principal | undefined {
    return this.#live(accessKeyId)?.principal;
  }

  /** The session of an ASIA… key, expired or not (until swept). */
  sessionOf(accessKeyId: string): SessionCredential | undefined {
    return this.#sessions.get(accessKeyId)?.credential;
  }

  /**
   * A live session's token, known since it was issued or since a request presented it (after a
   * restart): to presign a URL with the session's credentials, which must carry it.
   */
  sessionTokenFor(accessKeyId: string): string | undefined {
    return this.#live(accessKeyId)?.known.token;
  }

  /** How a key's session was made; undefined for a key that is no session. */
  kindOf(accessKeyId: string): SessionKind | undefined {
    return this.#sessions.get(accessKeyId)?.kind;
  }

  /**
   * Ends, here and in the store, every session issued for `owner` (an ECS task that stopped): its
   * keys are unknown from then on, as revoked credentials are. Resolves with how many ended.
   */
  async revokeOwnedBy(owner: string): Promise<number> {
    const keys = [...this.#sessions].filter(([, session]) => session.owner === owner).map(([key]) => key);
    if (keys.length === 0) return 0;
    await this.#repository.delete(keys);
    for (const key of keys) this.#sessions.delete(key);
    return keys.length;
  }

  /** Forgets, here and in the store, the sessions expired longer than the retention ago. */
  async sweep(): Promise<number> {
    const now = this.#clock.now().getTime();
    this.#sweptAt = now;
    const before = now - EXPIRED_SESSION_RETENTION_MS;
    for (const [accessKeyId, session] of this.#sessions) {
      if (session.credential.expiresAt.getTime() < before) this.#sessions.delete(accessKeyId);
    }
    return this.#repository.deleteExpiredBefore(new Date(before));
  }

  async #sweepNowAndThen(): Promise<void> {
    if (this.#clock.now().getTime() - this.#sweptAt >= SWEEP_INTERVAL_MS) await this.sweep();
  }

  #remember(accessKeyId: string, made: Omit<LiveSession, 'credential' | 'known'>, known: Known): void {
    const session: LiveSession = { ...made, known, credential: credential(known, made.kind) };
    this.#sessions.set(accessKeyId, session);
  }

  #live(accessKeyId: string): LiveSession | undefined {
    const session = this.#sessions.get(accessKeyId);
    if (session === undefined) return undefined;
    return this.#clock.now().getTime() < session.credential.expiresAt.getTime() ? session : undefined;
  }
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The verifier's view; a matching token is remembered (in memory) for sessionTokenFor. */
function credential(known: Known, kind: SessionKind): SessionCredential {
  return {
    expiresAt: known.expiresAt,
    hasToken: (token) => {
      if (!timingSafeEqual(hashToken(token), known.tokenHash)) return false;
      known.token ??= token;
      return true;
    },
    ...(kind === 'session-token' ? { refusedServices: SESSION_TOKEN_REFUSED_SERVICES } : {}),
  };
}
