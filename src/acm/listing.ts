import type { CertificateRecord } from '../store/index.ts';
import { statusOf } from './certificates.ts';
import { bodyOf, type AcmDeps } from './deps.ts';
import { InvalidArgsException } from './errors.ts';
import type { CertificateSummary, ListCertificatesRequest } from './shapes.generated.ts';

/** ACM lists RSA_2048 certificates unless Includes.keyTypes names others. */
const DEFAULT_KEY_TYPES = ['RSA_2048'];
const DEFAULT_PAGE = 1000;

function matches(deps: AcmDeps, input: ListCertificatesRequest) {
  const now = deps.clock.now();
  const includes = input.Includes ?? {};
  const keyTypes: readonly string[] = includes.keyTypes ?? DEFAULT_KEY_TYPES;
  return (record: CertificateRecord): boolean => {
    const body = bodyOf(record);
    if (input.CertificateStatuses?.length && !input.CertificateStatuses.includes(statusOf(record, now))) return false;
    if (!keyTypes.includes(record.keyAlgorithm)) return false;
    if (
      includes.keyUsage?.length &&
      !includes.keyUsage.every((usage) => usage === 'ANY' || body.keyUsages.includes(usage))
    )
      return false;
    const extended = body.extendedKeyUsages.map((usage) => usage.name);
    if (
      includes.extendedKeyUsage?.length &&
      !includes.extendedKeyUsage.every((usage) => usage === 'ANY' || extended.includes(usage))
    )
      return false;
    if (includes.exportOption === 'ENABLED') return false; // none is exportable
    if (includes.managedBy !== undefined) return false; // CloudFront manages none
    return true;
  };
}

function summaryOf(deps: AcmDeps, record: CertificateRecord, inUse: boolean): CertificateSummary {
  const body = bodyOf(record);
  return {
    CertificateArn: record.arn,
    DomainName: record.domainName,
    SubjectAlternativeNameSummaries: body.subjectAlternativeNames.slice(0, 100),
    HasAdditionalSubjectAlternativeNames: body.subjectAlternativeNames.length > 100,
    Status: statusOf(record, deps.clock.now()),
    Type: record.type as CertificateSummary['Type'],
    KeyAlgorithm: record.keyAlgorithm as CertificateSummary['KeyAlgorithm'],
    KeyUsages: body.keyUsages as CertificateSummary['KeyUsages'],
    ExtendedKeyUsages: body.extendedKeyUsages.map((usage) => usage.name) as CertificateSummary['ExtendedKeyUsages'],
    ExportOption: 'DISABLED',
    InUse: inUse,
    RenewalEligibility: 'INELIGIBLE',
    NotBefore: new Date(body.notBefore),
    NotAfter: new Date(body.notAfter),
    CreatedAt: new Date(record.createdAt),
    ...(body.issuedAt !== undefined ? { IssuedAt: new Date(body.issuedAt) } : {}),
    ...(body.importedAt !== undefined ? { ImportedAt: new Date(body.importedAt) } : {}),
  };
}

/** ListCertificates: filters, oldest first (or SortBy CREATED_AT and SortOrder), MaxItems and NextToken. */
export async function listCertificates(deps: AcmDeps, input: ListCertificatesRequest) {
  const records = await deps.store.list();
  const used = new Set<string>();
  for (const record of records) if ((await deps.inUseBy(record.arn)).length > 0) used.add(record.arn);
  const kept = records.filter(matches(deps, input));
  if (input.SortOrder === 'DESCENDING') kept.reverse();
  const start = input.NextToken === undefined ? 0 : offsetOf(input.NextToken);
  const size = input.MaxItems ?? DEFAULT_PAGE;
  const page = kept.slice(start, start + size);
  return {
    CertificateSummaryList: page.map((record) => summaryOf(deps, record, used.has(record.arn))),
    ...(start + size < kept.length ? { NextToken: Buffer.from(`acm:${start + size}`).toString('base64') } : {}),
  };
}

function offsetOf(token: string): number {
  const match = /^acm:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match) throw new InvalidArgsException('The NextToken is not valid.');
  return Number(match[1]);
}
