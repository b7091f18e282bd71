/**
 * What Parameter Store needs of KMS: SecureString values are encrypted under a key (alias/aws/ssm
 * unless the caller names one) with the parameter's ARN as encryption context, as AWS does
 * ({"PARAMETER_ARN": arn}); only a value's ciphertext is ever stored.
 */
export interface ParameterCipher {
  /** Throws InvalidKeyId (or KMS's own error) when the key cannot encrypt. */
  encrypt(keyId: string, plaintext: string, context: Readonly<Record<string, string>>): Promise<EncryptedValue>;
  decrypt(blob: Uint8Array, context: Readonly<Record<string, string>>): Promise<string>;
}

export interface EncryptedValue {
  readonly blob: Uint8Array;
  /** The ARN of the key that encrypted it. */
  readonly keyArn: string;
  /** An AWS managed key (alias/aws/ssm): reading the value needs no kms:Decrypt of the caller. */
  readonly awsManaged: boolean;
}

export const DEFAULT_KEY_ID = 'alias/aws/ssm';

/** The encryption context Parameter Store gives KMS for a parameter's value. */
export function encryptionContextOf(parameterArn: string): Record<string, string> {
  return { PARAMETER_ARN: parameterArn };
}
