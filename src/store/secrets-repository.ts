/**
 * Secrets Manager's secrets and their versions. A version's value is kept only encrypted under the
 * secret's KMS key (a ciphertext blob of the key ring): the database alone discloses no value.
 */
export interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: Date;
  /** Description, KMS key, tags, resource policy, dates (deletion, change, access), as JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface SecretVersionRecord {
  readonly versionId: string;
  readonly createdAt: Date;
  /** AWSCURRENT, AWSPREVIOUS, AWSPENDING and the caller's own; none: a deprecated version. */
  readonly stages: readonly string[];
  readonly kind: 'string' | 'binary';
  /** The value, encrypted under the secret's KMS key. */
  readonly ciphertext: Uint8Array;
  readonly lastAccessedAt?: Date;
}

export interface SecretWrite {
  readonly secret: SecretRecord;
  /** Versions inserted or replaced. */
  readonly versions?: readonly SecretVersionRecord[];
  readonly deleteVersions?: readonly string[];
}

export interface SecretsRepository {
  /** Inserts a new secret and its versions in one transaction; false when the name is taken. */
  create(write: SecretWrite): Promise<boolean>;
  /** Replaces the secret's row and writes its versions, in one transaction. */
  write(write: SecretWrite): Promise<void>;
  getByName(name: string): Promise<SecretRecord | undefined>;
  getByArn(arn: string): Promise<SecretRecord | undefined>;
  /** Every secret, in name order. */
  list(): Promise<SecretRecord[]>;
  /** The secret's versions, oldest first. */
  versions(arn: string): Promise<SecretVersionRecord[]>;
  /** Deletes the secret and its versions. */
  delete(arn: string): Promise<void>;
}
