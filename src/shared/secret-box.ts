import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/*
 * Secrets at rest (users' secret access keys, the root secret): AES-256-GCM under one 32-byte key.
 * A sealed secret is text, `v1:` + base64(iv | ciphertext | tag), with a 12-byte random iv and a
 * 16-byte tag. The context (e.g. the access key id) is authenticated but not stored, so a sealed
 * value copied onto another record does not open there. The version prefix leaves room for
 * envelope encryption under KMS-style keys (a wrapped data key named in the value) without
 * touching what v1 stored.
 */

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

/** A sealed secret did not open: another key sealed it, or it was altered. */
export class SecretBoxError extends Error {}

export class SecretBox {
  readonly #key: KeyObject;

  constructor(key: Uint8Array) {
    if (key.length !== SECRET_KEY_BYTES) throw new Error(`a secret box key has ${SECRET_KEY_BYTES} bytes`);
    this.#key = createSecretKey(key);
  }

  /** A box with a new random key that lives only in memory (an in-memory store, tests). */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(SECRET_KEY_BYTES));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return VERSION + body.toString('base64');
  }

  open(sealed: string, context: string): string {
    if (!sealed.startsWith(VERSION)) {
      throw new SecretBoxError(isSealed(sealed) ? 'a sealed secret of an unknown version' : 'not a sealed secret');
    }
    const body = Buffer.from(sealed.slice(VERSION.length), 'base64');
    if (body.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('a sealed secret is too short');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, body.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError('a sealed secret does not open with this key: another key sealed it, or it was altered');
    }
  }
}

/** Whether `value` is a sealed secret, of any version (secret access keys never contain ':'). */
export function isSealed(value: string): boolean {
  return /^v[0-9]+:/.test(value);
}
