/** Kysely's view of the KMS tables (migrations/0018-kms.ts); times are epoch milliseconds. */
export interface KmsKeysTable {
  key_id: string;
  arn: string;
  state: string;
  created_at: number;
  /** The key material, sealed (SecretBox) and bound to the key id. */
  material: string;
  /** Description, key manager, policy, tags, deletion date, as JSON. */
  body: string;
}

export interface KmsAliasesTable {
  alias_name: string;
  target_key_id: string;
  created_at: number;
  updated_at: number;
}

export interface KmsTables {
  kms_keys: KmsKeysTable;
  kms_aliases: KmsAliasesTable;
}
