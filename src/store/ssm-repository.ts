/**
 * Systems Manager Parameter Store: parameters and every version of each (AWS keeps the last 100).
 * A SecureString version's value is stored as KMS ciphertext (base64), never as plain text.
 */
export interface SsmParameterVersionRecord {
  readonly version: number;
  /** String and StringList: the value; SecureString: the ciphertext, base64. */
  readonly value: string;
  /** At most 10, unique across the parameter's versions. */
  readonly labels: readonly string[];
  readonly modifiedAt: Date;
  /** What the API reports of the version (type, key, description, pattern, tier, data type, user). */
  readonly details: SsmVersionDetails;
}

export interface SsmVersionDetails {
  readonly type: 'String' | 'StringList' | 'SecureString';
  readonly tier: 'Standard' | 'Advanced';
  readonly dataType: string;
  readonly lastModifiedUser: string;
  readonly description?: string;
  readonly allowedPattern?: string;
  /** SecureString: the key as the caller named it (alias/aws/ssm by default) and its ARN. */
  readonly keyId?: string;
  readonly keyArn?: string;
  /** Whether that key is AWS managed (aws/ssm): reading the value then needs no kms:Decrypt. */
  readonly keyAwsManaged?: boolean;
}

export interface SsmParameterRecord {
  readonly name: string;
  /** Bumped by every write: a write names the revision it read (optimistic concurrency). */
  readonly revision: number;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  /** The newest version. */
  readonly current: SsmParameterVersionRecord;
}

/** One parameter's change. `next` absent: the parameter and its history are deleted. */
export interface SsmWrite {
  readonly name: string;
  /** The revision the change was planned from; undefined: the parameter must not exist. */
  readonly expectRevision: number | undefined;
  readonly next?: { readonly version: number; readonly tags: SsmParameterRecord['tags'] };
  /** Versions written whole (new ones, or old ones whose labels moved). */
  readonly putVersions?: readonly SsmParameterVersionRecord[];
  readonly dropVersions?: readonly number[];
}

export interface SsmRepository {
  get(name: string): Promise<SsmParameterRecord | undefined>;
  getMany(names: readonly string[]): Promise<SsmParameterRecord[]>;
  /** Every version of the parameter, oldest first. */
  history(name: string): Promise<SsmParameterVersionRecord[]>;
  /** Parameters in name order, those starting with `prefix`, after `after`. */
  list(query: {
    readonly prefix?: string;
    readonly after?: string;
    readonly limit: number;
  }): Promise<SsmParameterRecord[]>;
  /**
   * Applies the changes in one transaction, all or none: resolves false, writing nothing, when a
   * parameter's revision is not the one a change expects.
   */
  write(changes: readonly SsmWrite[]): Promise<boolean>;
}
