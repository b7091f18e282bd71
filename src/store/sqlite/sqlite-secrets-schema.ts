/** Kysely's view of the Secrets Manager tables (migrations/0019-secretsmanager.ts); times are epoch milliseconds. */
export interface SecretsTable {
  arn: string;
  name: string;
  created_at: number;
  body: string;
}

export interface SecretVersionsTable {
  secret_arn: string;
  version_id: string;
  created_at: number;
  /** JSON list of stage labels. */
  stages: string;
  kind: string;
  /** The KMS ciphertext blob, base64. */
  ciphertext: string;
  last_accessed_at: number | null;
}

export interface SecretsTables {
  secrets: SecretsTable;
  secret_versions: SecretVersionsTable;
}
