import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { x509 } from './x509.ts';
import { keyAlgorithmOf, type KeyAlgorithm } from './keys.ts';

/** What ACM describes of a certificate, in its words. */
export interface CertificateFacts {
  /** The subject's CN, else the first DNS name. */
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
  /** Colon-separated lowercase hex, as ACM shows it. */
  readonly serial: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyAlgorithm: KeyAlgorithm | undefined;
  /** SHA256WITHRSA, SHA384WITHECDSA... */
  readonly signatureAlgorithm: string;
  readonly keyUsages: readonly string[];
  readonly extendedKeyUsages: readonly { readonly name: string; readonly oid: string }[];
}

const KEY_USAGE_NAMES: readonly [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'DIGITAL_SIGNATURE'],
  [x509.KeyUsageFlags.nonRepudiation, 'NON_REPUDIATION'],
  [x509.KeyUsageFlags.keyEncipherment, 'KEY_ENCIPHERMENT'],
  [x509.KeyUsageFlags.dataEncipherment, 'DATA_ENCIPHERMENT'],
  [x509.KeyUsageFlags.keyAgreement, 'KEY_AGREEMENT'],
  [x509.KeyUsageFlags.keyCertSign, 'CERTIFICATE_SIGNING'],
  [x509.KeyUsageFlags.cRLSign, 'CRL_SIGNING'],
  [x509.KeyUsageFlags.encipherOnly, 'ENCIPHER_ONLY'],
  [x509.KeyUsageFlags.decipherOnly, 'DECIPHER_ONLY'],
];

const EXTENDED_KEY_USAGE_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS_WEB_SERVER_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.2': 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION',
  '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING',
  '1.3.6.1.5.5.7.3.5': 'IPSEC_END_SYSTEM',
  '1.3.6.1.5.5.7.3.6': 'IPSEC_TUNNEL',
  '1.3.6.1.5.5.7.3.7': 'IPSEC_USER',
};

/** The facts ACM shows of one PEM certificate. */
export function certificateFacts(pem: string): CertificateFacts {
  const parsed = new x509.X509Certificate(pem);
  const native = new X509Certificate(pem);
  const sans = (native.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:') || entry.startsWith('IP Address:'))
    .map((entry) => entry.slice(entry.indexOf(':') + 1));
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(native.subject)?.[1];
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  const extended = parsed.getExtension(x509.ExtendedKeyUsageExtension);
  const hash = (parsed.signatureAlgorithm.hash as { name?: string } | undefined)?.name ?? 'SHA-256';
  const family = (parsed.signatureAlgorithm as { name?: string }).name === 'ECDSA' ? 'ECDSA' : 'RSA';
  return {
    domainName: commonName ?? sans[0] ?? '',
    subjectAlternativeNames: sans,
    serial: (native.serialNumber.toLowerCase().match(/../g) ?? []).join(':'),
    subject: native.subject.split('\n').join(','),
    issuer: native.issuer.split('\n').join(','),
    notBefore: new Date(native.validFrom),
    notAfter: new Date(native.validTo),
    keyAlgorithm: keyAlgorithmOf(native.publicKey),
    signatureAlgorithm: `${hash.replace('-', '')}WITH${family}`,
    keyUsages: usage ? KEY_USAGE_NAMES.filter(([flag]) => (usage.usages & flag) !== 0).map(([, name]) => name) : [],
    extendedKeyUsages: Array.from(extended?.usages ?? [], (oid) => ({
      name: EXTENDED_KEY_USAGE_NAMES[String(oid)] ?? 'CUSTOM',
      oid: String(oid),
    })),
  };
}

/** The PEM certificates in a text, in order. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((pem) => `${pem}\n`) ?? [];
}

/** Why an import is refused, in ACM's words; undefined when it is not. */
export type ImportProblem = string;

export interface ImportedCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly chainPem: string | undefined;
  readonly facts: CertificateFacts;
}

/**
 * Checks an import as ACM does: one PEM certificate, an unencrypted private key of a supported
 * algorithm that is the certificate's, a validity period that includes `now`, and a chain in
 * which each certificate signed the one before it (or, without a chain, a self-signed certificate).
 * Throws `problem(message)`'s error on the first failure.
 */
export function checkImport(
  input: { certificate: string; privateKey: string; chain: string | undefined },
  now: Date,
  problem: (message: string) => Error,
): ImportedCertificate {
  const certificates = pemCertificates(input.certificate);
  if (certificates.length === 0)
    throw problem('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  if (certificates.length > 1)
    throw problem(
      'The certificate field contains more than one certificate. You can specify only one certificate in this field.',
    );
  const leaf = parse(certificates[0]!, problem);
  const key = parseKey(input.privateKey, problem);
  if (keyAlgorithmOf(key) === undefined) throw problem('The private key algorithm is not supported.');
  if (!leaf.checkPrivateKey(key)) throw problem('The private key does not match the public key in the certificate.');
  if (new Date(leaf.validFrom) > now) throw problem('The certificate is not yet valid.');
  if (new Date(leaf.validTo) < now) throw problem('The certificate has expired.');
  const chain = input.chain === undefined ? [] : pemCertificates(input.chain);
  if (input.chain !== undefined && chain.length === 0)
    throw problem('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
  checkChain(
    leaf,
    chain.map((pem) => parse(pem, problem)),
    problem,
  );
  return {
    certificatePem: certificates[0]!,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    chainPem: chain.length > 0 ? chain.join('') : undefined,
    facts: certificateFacts(certificates[0]!),
  };
}

function checkChain(leaf: X509Certificate, chain: readonly X509Certificate[], problem: (message: string) => Error) {
  if (chain.length === 0) {
    if (leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey)) return;
    throw problem(
      'Provided certificate is not a valid self signed. Please provide either a valid self-signed certificate or certificate chain.',
    );
  }
  let child = leaf;
  for (const parent of chain) {
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey))
      throw problem('Could not validate the certificate with the certificate chain.');
    child = parent;
  }
}

function parse(pem: string, problem: (message: string) => Error): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw problem('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  }
}

function parseKey(pem: string, problem: (message: string) => Error): KeyObject {
  if (/ENCRYPTED/.test(pem)) throw problem('The private key is encrypted: import an unencrypted private key.');
  try {
    return createPrivateKey(pem);
  } catch {
    throw problem('Unable to parse key; the key is either encrypted or not a valid private key.');
  }
}
