/**
 * STS sessions: temporary credentials (ASIA… keys) from AssumeRole and GetSessionToken, kept until
 * they expire so that a restart does not end them. The secret is sealed at rest and the session
 * token is kept only as its SHA-256: the database alone can neither sign nor present a token.
 */
export interface StsSessionRecord {
  readonly accessKeyId: string;
  /** Plain text here; the store seals it. */
  readonly secretAccessKey: string;
  /** SHA-256 of the session token, hex. */
  readonly tokenHash: string;
  /** The access key that asked for the session. */
  readonly sourceAccessKeyId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** Who the session is (the principal and what it may call), as STS writes it. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface StsSessionRepository {
  insert(record: StsSessionRecord): Promise<void>;
  /** Every stored session, expired or not, oldest first. */
  list(): Promise<StsSessionRecord[]>;
  /** Removes the sessions that expired before `before`; resolves with how many. */
  deleteExpiredBefore(before: Date): Promise<number>;
  /** Removes these sessions now (revoked before they expire); unknown keys are ignored. */
  delete(accessKeyIds: readonly string[]): Promise<void>;
}
