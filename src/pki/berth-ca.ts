import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFileAtomic } from '../shared/atomic-file.ts';
import { createAuthority, type KeyedCertificate } from './issue.ts';

/** Where the Berth CA lives in the data folder: its key (0600) and its certificate, the one users trust. */
export const CA_KEY_FILE = join('tls', 'berth-ca.key');
export const CA_CERT_FILE = join('tls', 'berth-ca.pem');

const TEN_YEARS_MS = 10 * 365 * 86_400_000;

export interface BerthCa extends KeyedCertificate {
  /** The CA certificate's absolute path. */
  readonly certificatePath: string;
  readonly created: boolean;
}

/**
 * The Berth CA of a data folder, made on the first start: a P-256 key and a ten-year self-signed
 * certificate. The key is written before the certificate (both atomically), so a certificate on
 * disk always has its key; a key left alone by a crash is replaced.
 */
export async function loadBerthCa(dataDir: string, now: Date): Promise<BerthCa> {
  const keyPath = join(dataDir, CA_KEY_FILE);
  const certificatePath = join(dataDir, CA_CERT_FILE);
  const stored = readPair(keyPath, certificatePath);
  if (stored) return { ...stored, certificatePath, created: false };
  const authority = await createAuthority({
    commonName: 'Berth CA',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + TEN_YEARS_MS),
  });
  writeFileAtomic(keyPath, authority.privateKeyPem, 0o600);
  writeFileAtomic(certificatePath, authority.certificatePem, 0o600);
  return { ...authority, certificatePath, created: true };
}

function readPair(keyPath: string, certificatePath: string): KeyedCertificate | undefined {
  let certificatePem: string;
  try {
    certificatePem = readFileSync(certificatePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const privateKeyPem = readFileSync(keyPath, 'utf8');
  if (!new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(privateKeyPem)))
    throw new Error(`${certificatePath} and ${keyPath} do not belong together`);
  return { certificatePem, privateKeyPem };
}
