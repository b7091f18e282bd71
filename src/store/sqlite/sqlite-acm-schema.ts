/** Kysely's view of ACM's certificates table (migrations/0023-acm.ts); created_at is epoch milliseconds. */
export interface AcmCertificatesTable {
  arn: string;
  domain_name: string;
  type: string;
  key_algorithm: string;
  created_at: number;
  certificate_pem: string;
  chain_pem: string | null;
  /** Sealed with the store's SecretBox, bound to the ARN. */
  private_key: string;
  body: string;
}

export interface AcmTables {
  acm_certificates: AcmCertificatesTable;
}
