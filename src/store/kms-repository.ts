/**
 * KMS keys and aliases. A key's material (32 random bytes) is plain here and sealed by the store
 * with the data folder's master key, bound to the key id: the database alone decrypts nothing.
 */
export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KmsKeyRecord {
  readonly keyId: string;
  readonly arn: string;
  readonly createdAt: Date;
  readonly state: KmsKeyState;
  /** Plain text here; the store seals it. Never changes after the key is made. */
  readonly material: Uint8Array;
  readonly description: string;
  /** AWS: an AWS managed key (aws/secretsmanager, aws/ssm); CUSTOMER: made by CreateKey. */
  readonly keyManager: 'AWS' | 'CUSTOMER';
  /** The key policy, as the caller wrote it (one policy per key, named "default"). */
  readonly policy: string;
  readonly tags: readonly { readonly TagKey: string; readonly TagValue: string }[];
  /** When a key pending deletion is deleted, and the window it was scheduled with. */
  readonly deletionDate?: Date;
  readonly pendingWindowInDays?: number;
}

export interface KmsAliasRecord {
  /** `alias/NAME`. */
  readonly aliasName: string;
  readonly targetKeyId: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface KmsRepository {
  /** Inserts the key, and the alias with it when given, in one transaction; false if the alias exists. */
  insertKey(key: KmsKeyRecord, alias?: KmsAliasRecord): Promise<boolean>;
  getKey(keyId: string): Promise<KmsKeyRecord | undefined>;
  /** Keys in key id order, strictly after `after`. */
  listKeys(page: { readonly after?: string | undefined; readonly limit: number }): Promise<KmsKeyRecord[]>;
  /** Writes everything but the material (which never changes). */
  updateKey(key: KmsKeyRecord): Promise<void>;
  /** Deletes the key and the aliases that point to it. */
  deleteKey(keyId: string): Promise<void>;
  getAlias(aliasName: string): Promise<KmsAliasRecord | undefined>;
  /** Aliases in name order, of one key when given. */
  listAliases(keyId?: string): Promise<KmsAliasRecord[]>;
  /** False when an alias of that name exists. */
  insertAlias(alias: KmsAliasRecord): Promise<boolean>;
  updateAlias(alias: KmsAliasRecord): Promise<void>;
  /** False when there was none. */
  deleteAlias(aliasName: string): Promise<boolean>;
}
