import type { KeyedCertificate } from '../pki/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { AcmRepository, CertificateRecord } from '../store/index.ts';
import { InvalidArnException, ResourceNotFoundException } from './errors.ts';

export interface AcmDeps {
  readonly store: AcmRepository;
  readonly clock: Clock;
  readonly scope: { readonly region: string; readonly accountId: string };
  /** The Berth CA, which issues RequestCertificate's certificates. */
  readonly authority: () => Promise<KeyedCertificate>;
  /** The load balancer listeners that use a certificate (DeleteCertificate refuses while any does). */
  readonly inUseBy: (certificateArn: string) => Promise<readonly string[]>;
  readonly newId: () => string;
  /**
   * A re-import replaced a certificate's PEMs: the load balancers serving it take the new ones
   * (their data plane is given the stored configuration again). Absent: nothing to tell.
   */
  readonly reimported?: (certificateArn: string) => Promise<void>;
}

export type Tag = { readonly Key: string; readonly Value?: string };

/** What a certificate's record keeps besides its columns. */
export interface CertificateBody {
  readonly subjectAlternativeNames: readonly string[];
  readonly serial: string;
  readonly subject: string;
  readonly issuer: string;
  /** Epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly signatureAlgorithm: string;
  readonly keyUsages: readonly string[];
  readonly extendedKeyUsages: readonly { readonly name: string; readonly oid: string }[];
  readonly issuedAt?: number;
  readonly importedAt?: number;
  readonly tags: readonly Tag[];
  /** RequestCertificate's: the validation method and options, the idempotency token. */
  readonly validationMethod?: string;
  readonly idempotencyToken?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

export function bodyOf(record: CertificateRecord): CertificateBody {
  return record.body as CertificateBody;
}

const ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** The certificate an ARN names; InvalidArnException for a string that is not one. */
export async function findCertificate(deps: AcmDeps, arn: string): Promise<CertificateRecord> {
  if (!ARN.test(arn)) throw new InvalidArnException(`The certificate ARN ${arn} is not valid.`);
  const record = await deps.store.get(arn);
  if (!record) throw ResourceNotFoundException.certificate(arn);
  return record;
}
