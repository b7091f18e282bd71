import { kmsErrors, type KeyRing } from '../kms/index.ts';
import type { ParameterCipher } from './cipher.ts';
import { InvalidKeyId } from './errors.ts';

/**
 * Parameter Store's cipher on KMS's in-process key ring: Encrypt directly under the key, as AWS
 * does for standard parameters. A key KMS does not know is SSM's InvalidKeyId; a disabled or
 * deleted key answers KMS's own error, as SSM relays it.
 */
export function keyRingCipher(keys: KeyRing): ParameterCipher {
  return {
    async encrypt(keyId, plaintext, context) {
      try {
        const key = await keys.usable(keyId);
        const { ciphertextBlob, keyArn } = await keys.encrypt(key.arn, Buffer.from(plaintext, 'utf8'), context);
        return { blob: ciphertextBlob, keyArn, awsManaged: key.keyManager === 'AWS' };
      } catch (error) {
        if (error instanceof kmsErrors.NotFoundException) throw new InvalidKeyId(`Invalid keyId ${keyId}`);
        throw error;
      }
    },
    async decrypt(blob, context) {
      const { plaintext } = await keys.decrypt(blob, context);
      return plaintext.toString('utf8');
    },
  };
}
