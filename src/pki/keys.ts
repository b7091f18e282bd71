import { createPrivateKey, KeyObject, webcrypto } from 'node:crypto';

/** ACM's key algorithms that Berth can make keys for (RequestCertificate's KeyAlgorithm). */
export type KeyAlgorithm = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'EC_prime256v1' | 'EC_secp384r1';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_prime256v1',
  'EC_secp384r1',
];

type SigningParams = webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;

function paramsOf(algorithm: KeyAlgorithm): SigningParams {
  switch (algorithm) {
    case 'EC_prime256v1':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'EC_secp384r1':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

/** A new key pair of the algorithm, extractable (its private half is kept as PKCS#8 PEM). */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<webcrypto.CryptoKeyPair> {
  const params = paramsOf(algorithm);
  const generate =
    params.name === 'ECDSA'
      ? params
      : { ...params, modulusLength: Number(algorithm.slice(4)), publicExponent: new Uint8Array([1, 0, 1]) };
  return webcrypto.subtle.generateKey(generate, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** ACM's name of a key's algorithm; undefined when ACM has none (DSA, Ed25519, RSA of 1024 bits...). */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const name = `RSA_${details.modulusLength ?? 0}`;
    return KEY_ALGORITHMS.find((algorithm) => algorithm === name);
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'EC_prime256v1';
    if (details.namedCurve === 'secp384r1') return 'EC_secp384r1';
  }
  return undefined;
}

/** A PEM private key as a WebCrypto signing key (the form @peculiar/x509 signs with). */
export async function signingKeyOf(pem: string): Promise<webcrypto.CryptoKey> {
  const key = createPrivateKey(pem);
  const algorithm = keyAlgorithmOf(key);
  if (algorithm === undefined) throw new Error('the signing key is not RSA or EC P-256/P-384');
  const der = key.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, paramsOf(algorithm), false, ['sign']);
}

/** The signature algorithm a key signs with: SHA-256 (SHA-384 for P-384). */
export function signingAlgorithmOf(key: webcrypto.CryptoKey): webcrypto.Algorithm | webcrypto.EcdsaParams {
  const algorithm = key.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name === 'ECDSA')
    return { name: 'ECDSA', hash: algorithm.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as webcrypto.EcdsaParams;
  return key.algorithm;
}
