/**
 * IAM: users, groups, roles, customer managed policies and instance profiles, and users' access
 * keys. IAM data is small and read from memory (iam/directory.ts), so the store loads it whole at
 * start and takes each change as one transaction. Queried fields are columns; the rest of an entity
 * (tags, inline policies, attachments, versions, memberships) is its JSON body. Users live in the
 * table `berth iam create-user` wrote (iam_users), so the users it made are IAM users unchanged.
 */
export type IamEntityKind = 'user' | 'group' | 'role' | 'policy' | 'instance-profile';

export interface IamEntityRecord {
  readonly kind: IamEntityKind;
  /** Unique per kind in the account (IAM's names are case-insensitive: the caller checks that). */
  readonly name: string;
  readonly arn: string;
  /** IAM's unique id: AIDA… for a user, AGPA… a group, AROA… a role, ANPA… a policy, AIPA… an instance profile. */
  readonly id: string;
  readonly path: string;
  readonly createdAt: Date;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface IamKeyUse {
  readonly at: Date;
  readonly service: string;
  readonly region: string;
}

export interface IamAccessKeyRecord {
  readonly accessKeyId: string;
  readonly userName: string;
  /** In the clear here; sealed (SecretBox) before it reaches the database. */
  readonly secretAccessKey: string;
  readonly status: 'Active' | 'Inactive';
  readonly createdAt: Date;
  readonly lastUsed?: IamKeyUse;
}

export interface IamChange {
  /** Inserted, or replacing the entity of the same kind and name. */
  readonly put?: readonly IamEntityRecord[];
  readonly remove?: readonly { readonly kind: IamEntityKind; readonly name: string }[];
  /** Inserted, or (an existing key) its status and user name replaced: a key's secret never changes. */
  readonly putKeys?: readonly IamAccessKeyRecord[];
  readonly removeKeys?: readonly string[];
}

export interface IamRepository {
  /** Everything, entities in (kind, name) order and keys in id order. */
  load(): Promise<{ entities: IamEntityRecord[]; accessKeys: IamAccessKeyRecord[] }>;
  /** Applies the whole change in one transaction. */
  write(change: IamChange): Promise<void>;
  /** Records when keys were last used (GetAccessKeyLastUsed), one transaction for the batch. */
  recordKeyUses(uses: ReadonlyMap<string, IamKeyUse>): Promise<void>;
}
