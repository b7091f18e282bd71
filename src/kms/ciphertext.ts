import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * A ciphertext blob, as Encrypt and GenerateDataKey return it and Decrypt takes it back:
 *
 *   0x01 | key id (16 bytes, the UUID's) | iv (12) | AES-256-GCM ciphertext | tag (16)
 *
 * The key id travels in the blob, so Decrypt of a symmetric key's ciphertext needs no KeyId, as on
 * AWS. The additional authenticated data is the key id and the encryption context in a canonical
 * form (pairs sorted by key), so a blob opens only with the same context, given in any order.
 */

const VERSION = 0x01;
const KEY_ID_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES;

export type EncryptionContext = Readonly<Record<string, string>>;

export function sealBlob(
  keyId: string,
  material: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext,
): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(keyId, context));
  return Buffer.concat([
    Buffer.from([VERSION]),
    keyIdBytes(keyId),
    iv,
    cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
}

/** The key id a blob names, or undefined when it is not a blob Berth made. */
export function blobKeyId(blob: Uint8Array): string | undefined {
  if (blob.length < HEADER_BYTES + TAG_BYTES || blob[0] !== VERSION) return undefined;
  const hex = Buffer.from(blob.subarray(1, 1 + KEY_ID_BYTES)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The plaintext, or undefined when the blob was altered or the context differs. */
export function openBlob(
  keyId: string,
  material: Uint8Array,
  blob: Uint8Array,
  context: EncryptionContext,
): Buffer | undefined {
  const body = Buffer.from(blob);
  const decipher = createDecipheriv('aes-256-gcm', material, body.subarray(1 + KEY_ID_BYTES, HEADER_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(additionalData(keyId, context));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(HEADER_BYTES, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function keyIdBytes(keyId: string): Buffer {
  const bytes = Buffer.from(keyId.replaceAll('-', ''), 'hex');
  if (bytes.length !== KEY_ID_BYTES) throw new Error(`a KMS key id is a UUID: ${keyId}`);
  return bytes;
}

function additionalData(keyId: string, context: EncryptionContext): Buffer {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([keyId, pairs]), 'utf8');
}
