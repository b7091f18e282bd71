import { createHash } from 'node:crypto';
import {
  certificateFacts,
  checkImport,
  issueCertificate,
  type CertificateFacts,
  type KeyAlgorithm,
} from '../pki/index.ts';
import { formatArn } from '../shared/arn.ts';
import type { CertificateRecord } from '../store/index.ts';
import { bodyOf, findCertificate, type AcmDeps, type CertificateBody } from './deps.ts';
import {
  InvalidParameterException,
  RequestInProgressException,
  ResourceInUseException,
  ValidationException,
} from './errors.ts';
import type {
  CertificateDetail,
  DomainValidation,
  ImportCertificateRequest,
  RequestCertificateRequest,
} from './shapes.generated.ts';
import { checkTags } from './tags.ts';

const DAY_MS = 86_400_000;
/** ACM's issued certificates last 395 days (13 months). */
const ISSUED_VALIDITY_DAYS = 395;
/** RequestCertificate with the same idempotency token within an hour answers the same certificate. */
const IDEMPOTENCY_WINDOW_MS = 3_600_000;

function factsBody(facts: CertificateFacts): Omit<CertificateBody, 'tags'> {
  return {
    subjectAlternativeNames: facts.subjectAlternativeNames,
    serial: facts.serial,
    subject: facts.subject,
    issuer: facts.issuer,
    notBefore: facts.notBefore.getTime(),
    notAfter: facts.notAfter.getTime(),
    signatureAlgorithm: facts.signatureAlgorithm,
    keyUsages: facts.keyUsages,
    extendedKeyUsages: facts.extendedKeyUsages,
  };
}

export async function importCertificate(deps: AcmDeps, input: ImportCertificateRequest) {
  const now = deps.clock.now();
  const text = (blob: Uint8Array | undefined) => (blob === undefined ? undefined : Buffer.from(blob).toString('utf8'));
  const imported = checkImport(
    { certificate: text(input.Certificate)!, privateKey: text(input.PrivateKey)!, chain: text(input.CertificateChain) },
    now,
    (message) => new ValidationException(message),
  );
  const keyAlgorithm = imported.facts.keyAlgorithm;
  if (keyAlgorithm === undefined) throw new ValidationException('The certificate key algorithm is not supported.');
  const previous = input.CertificateArn === undefined ? undefined : await findCertificate(deps, input.CertificateArn);
  if (previous && input.Tags?.length)
    throw new InvalidParameterException('Tags cannot be specified when you reimport a certificate.');
  if (previous && previous.type !== 'IMPORTED')
    throw new InvalidParameterException(
      `Certificate ${previous.arn} was not imported: only an imported certificate can be reimported.`,
    );
  const arn = previous?.arn ?? formatArn('acm', deps.scope, `certificate/${deps.newId()}`);
  const tags = previous ? bodyOf(previous).tags : checkTags(input.Tags ?? []);
  await deps.store.put({
    arn,
    domainName: imported.facts.domainName,
    type: 'IMPORTED',
    keyAlgorithm,
    createdAt: previous?.createdAt ?? now.getTime(),
    certificatePem: imported.certificatePem,
    chainPem: imported.chainPem,
    privateKeyPem: imported.privateKeyPem,
    body: { ...factsBody(imported.facts), importedAt: now.getTime(), tags } satisfies CertificateBody,
  });
  if (previous) await deps.reimported?.(arn);
  return { CertificateArn: arn };
}

const DOMAIN = /^(\*\.)?(([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])\.)+[A-Za-z]{2,63}\.?$/;

export async function requestCertificate(deps: AcmDeps, input: RequestCertificateRequest) {
  const names = [
    input.DomainName,
    ...(input.SubjectAlternativeNames ?? []).filter((name) => name !== input.DomainName),
  ];
  for (const name of names)
    if (!DOMAIN.test(name))
      throw new InvalidParameterException(`DomainName '${name}' is not a fully qualified domain name.`);
  if (names.length > 100) throw new InvalidParameterException('A certificate can have at most 100 domain names.');
  const tags = checkTags(input.Tags ?? []);
  const now = deps.clock.now();
  if (input.IdempotencyToken !== undefined) {
    const same = (await deps.store.list()).find(
      (record) =>
        bodyOf(record).idempotencyToken === input.IdempotencyToken &&
        record.domainName === input.DomainName &&
        now.getTime() - record.createdAt < IDEMPOTENCY_WINDOW_MS,
    );
    if (same) return { CertificateArn: same.arn };
  }
  const keyAlgorithm = (input.KeyAlgorithm ?? 'RSA_2048') as KeyAlgorithm;
  const authority = await deps.authority();
  const issued = await issueCertificate(authority, {
    commonName: input.DomainName,
    names,
    notBefore: now,
    notAfter: new Date(now.getTime() + ISSUED_VALIDITY_DAYS * DAY_MS),
    keyAlgorithm,
  });
  const arn = formatArn('acm', deps.scope, `certificate/${deps.newId()}`);
  const facts = certificateFacts(issued.certificatePem);
  await deps.store.put({
    arn,
    domainName: input.DomainName,
    type: 'AMAZON_ISSUED',
    keyAlgorithm,
    createdAt: now.getTime(),
    certificatePem: issued.certificatePem,
    chainPem: authority.certificatePem,
    privateKeyPem: issued.privateKeyPem,
    body: {
      ...factsBody(facts),
      issuedAt: now.getTime(),
      tags,
      validationMethod: input.ValidationMethod ?? 'DNS',
      ...(input.IdempotencyToken !== undefined ? { idempotencyToken: input.IdempotencyToken } : {}),
      ...(input.Options ? { options: { ...input.Options } } : {}),
    } satisfies CertificateBody,
  });
  return { CertificateArn: arn };
}

/** EXPIRED once past its end date; otherwise ISSUED (Berth's CA issues at once). */
export function statusOf(record: CertificateRecord, now: Date): 'ISSUED' | 'EXPIRED' {
  return bodyOf(record).notAfter < now.getTime() ? 'EXPIRED' : 'ISSUED';
}

/**
 * DNS validation as done: per name, the CNAME ACM would have asked for (a name and value derived
 * from the certificate and domain, stable across calls), SUCCESS.
 */
function domainValidations(record: CertificateRecord): DomainValidation[] {
  const body = bodyOf(record);
  const method = body.validationMethod ?? 'DNS';
  return [record.domainName, ...body.subjectAlternativeNames.filter((name) => name !== record.domainName)].map(
    (name) => {
      const base = name.replace(/^\*\./, '');
      const digest = createHash('sha256').update(`${record.arn}|${base}`).digest('hex');
      return {
        DomainName: name,
        ValidationDomain: name,
        ValidationStatus: 'SUCCESS',
        ValidationMethod: method as 'DNS' | 'EMAIL' | 'HTTP',
        ...(method === 'DNS'
          ? {
              ResourceRecord: {
                Name: `_${digest.slice(0, 32)}.${base}.`,
                Type: 'CNAME' as const,
                Value: `_${digest.slice(32)}.acm-validations.aws.`,
              },
            }
          : {}),
      };
    },
  );
}

export async function describeCertificate(deps: AcmDeps, arn: string): Promise<{ Certificate: CertificateDetail }> {
  const record = await findCertificate(deps, arn);
  const body = bodyOf(record);
  const inUseBy = await deps.inUseBy(record.arn);
  const issued = record.type === 'AMAZON_ISSUED';
  return {
    Certificate: {
      CertificateArn: record.arn,
      DomainName: record.domainName,
      SubjectAlternativeNames: [...body.subjectAlternativeNames],
      ...(issued ? { DomainValidationOptions: domainValidations(record) } : {}),
      Serial: body.serial,
      Subject: body.subject,
      Issuer: issued ? 'Berth' : body.issuer,
      CreatedAt: new Date(record.createdAt),
      ...(body.issuedAt !== undefined ? { IssuedAt: new Date(body.issuedAt) } : {}),
      ...(body.importedAt !== undefined ? { ImportedAt: new Date(body.importedAt) } : {}),
      Status: statusOf(record, deps.clock.now()),
      NotBefore: new Date(body.notBefore),
      NotAfter: new Date(body.notAfter),
      KeyAlgorithm: record.keyAlgorithm as CertificateDetail['KeyAlgorithm'],
      SignatureAlgorithm: body.signatureAlgorithm,
      InUseBy: [...inUseBy],
      Type: record.type as CertificateDetail['Type'],
      KeyUsages: body.keyUsages.map((Name) => ({ Name: Name as never })),
      ExtendedKeyUsages: body.extendedKeyUsages.map((usage) => ({ Name: usage.name as never, OID: usage.oid })),
      RenewalEligibility: 'INELIGIBLE',
      Options: {
        CertificateTransparencyLoggingPreference: 'ENABLED',
        Export: 'DISABLED',
        ...(body.options ?? {}),
      } as CertificateDetail['Options'],
    },
  };
}

export async function getCertificate(deps: AcmDeps, arn: string) {
  const record = await findCertificate(deps, arn);
  if (statusOf(record, deps.clock.now()) !== 'ISSUED' && record.type !== 'IMPORTED')
    throw new RequestInProgressException(`Certificate ${arn} is not issued.`);
  return { Certificate: record.certificatePem, ...(record.chainPem ? { CertificateChain: record.chainPem } : {}) };
}

export async function deleteCertificate(deps: AcmDeps, arn: string): Promise<void> {
  const record = await findCertificate(deps, arn);
  const users = await deps.inUseBy(record.arn);
  if (users.length > 0)
    throw new ResourceInUseException(`Certificate ${arn} in account ${deps.scope.accountId} is in use.`);
  await deps.store.delete(record.arn);
}
