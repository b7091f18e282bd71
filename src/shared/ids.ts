import { randomBytes, randomUUID } from 'node:crypto';

/** A request id in the form AWS uses for x-amzn-RequestId. */
export function newRequestId(): string {
  return randomUUID();
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** An access key id shaped like AWS's long-term keys: AKIA + 16 base32 characters. */
export function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const byte of bytes) id += KEY_ALPHABET[byte & 31];
  return id;
}

/** A 40-character secret access key, as AWS issues them. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64').replaceAll('+', 'A').replaceAll('/', 'B');
}
