/**
 * ACM's certificates: one record per certificate, its PEM texts and what ACM describes of it. The
 * private key is sealed at rest by the store (shared/secret-box.ts, bound to the ARN); callers
 * see it in clear.
 */
export interface CertificateRecord {
  readonly arn: string;
  readonly domainName: string;
  /** 'IMPORTED' or 'AMAZON_ISSUED' (issued by the Berth CA). */
  readonly type: string;
  readonly keyAlgorithm: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly certificatePem: string;
  readonly chainPem: string | undefined;
  readonly privateKeyPem: string;
  /** The rest of what the service keeps (facts, tags, options, validation), as JSON. */
  readonly body: unknown;
}

export interface AcmRepository {
  /** Inserts the certificate, or replaces the one with its ARN (a re-import). */
  put(record: CertificateRecord): Promise<void>;
  get(arn: string): Promise<CertificateRecord | undefined>;
  /** Every certificate, oldest first (then by ARN). */
  list(): Promise<CertificateRecord[]>;
  /** False when there was none. */
  delete(arn: string): Promise<boolean>;
}
