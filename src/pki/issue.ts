import { isIP } from 'node:net';
import { randomBytes, X509Certificate } from 'node:crypto';
import { x509 } from './x509.ts';
import { generateKeyPair, privateKeyPem, signingAlgorithmOf, signingKeyOf, type KeyAlgorithm } from './keys.ts';

/** A certificate and its private key, both PEM. */
export interface KeyedCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface AuthorityRequest {
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyAlgorithm?: KeyAlgorithm;
}

/** A self-signed CA certificate (basic constraints CA, path length 0: it signs leaves only). */
export async function createAuthority(request: AuthorityRequest): Promise<KeyedCertificate> {
  const keys = await generateKeyPair(request.keyAlgorithm ?? 'EC_prime256v1');
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [request.commonName] }, { O: ['Berth'] }],
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    keys,
    signingAlgorithm: signingAlgorithmOf(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem') + '\n', privateKeyPem: await privateKeyPem(keys.privateKey) };
}

export interface LeafRequest {
  /** The subject's common name; the first of `names` when unset. */
  readonly commonName?: string;
  /** DNS names (wildcards allowed) and IP addresses: the subject alternative names. */
  readonly names: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** A TLS server (and client) certificate for `names`, signed by `authority`. */
export async function issueCertificate(authority: KeyedCertificate, request: LeafRequest): Promise<KeyedCertificate> {
  const keys = await generateKeyPair(request.keyAlgorithm);
  const signingKey = await signingKeyOf(authority.privateKeyPem);
  const issuer = new x509.X509Certificate(authority.certificatePem);
  const commonName = request.commonName ?? request.names[0] ?? 'berth';
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [commonName] }],
    issuer: issuer.subject,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: signingAlgorithmOf(signingKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature |
          (request.keyAlgorithm.startsWith('RSA') ? x509.KeyUsageFlags.keyEncipherment : 0),
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(
        request.names.map((name) => (isIP(name) ? { type: 'ip', value: name } : { type: 'dns', value: name })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem') + '\n', privateKeyPem: await privateKeyPem(keys.privateKey) };
}

/** Whether `certificate` is valid at `now` for at least `marginMs` more and names every one of `names`. */
export function coversNames(certificatePem: string, names: readonly string[], at: { now: Date; marginMs: number }) {
  const certificate = new X509Certificate(certificatePem);
  if (new Date(certificate.validTo).getTime() - at.now.getTime() < at.marginMs) return false;
  return names.every((name) =>
    isIP(name) ? certificate.checkIP(name) !== undefined : certificate.checkHost(name) !== undefined,
  );
}

/** 16 random bytes, the top bit clear: a positive serial of at most 20 octets, as RFC 5280 asks. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}
