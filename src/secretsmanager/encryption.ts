import { AccessDeniedException } from '../shared/access-denied.ts';
import { AwsError } from '../shared/aws-error.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { SecretRecord, SecretVersionRecord } from '../store/index.ts';
import { bodyOf, type SecretsManagerDeps } from './deps.ts';
import { DecryptionFailure, EncryptionFailure } from './errors.ts';

/*
 * A version's value is encrypted under the secret's KMS key with the key ring, the encryption
 * context naming the secret and the version (SecretARN, SecretVersionId), as Secrets Manager does.
 * A customer managed key needs the caller's kms:GenerateDataKey (writing) or kms:Decrypt (reading)
 * on the key, through Secrets Manager (kms:ViaService); the AWS managed key aws/secretsmanager is
 * usable by every principal of the account through the service, as its key policy says on AWS.
 */

export interface SecretValue {
  readonly kind: 'string' | 'binary';
  readonly bytes: Buffer;
}

async function keyOf(
  deps: SecretsManagerDeps,
  secret: Pick<SecretRecord, 'arn' | 'body'>,
  action: 'kms:GenerateDataKey' | 'kms:Decrypt',
  context: RequestContext,
): Promise<string> {
  const named = bodyOf(secret as SecretRecord).kmsKeyId;
  const key =
    named === undefined ? await deps.keyRing.awsManagedKey('aws/secretsmanager') : await deps.keyRing.find(named);
  if (key.keyManager !== 'AWS') {
    await deps.authorize(context, [
      {
        action,
        resource: key.arn,
        conditions: {
          'kms:ViaService': `secretsmanager.${context.region}.amazonaws.com`,
          'kms:CallerAccount': context.accountId,
          'kms:EncryptionContext:SecretARN': secret.arn,
          'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
        },
      },
    ]);
  }
  return key.keyId;
}

/** The key's own errors say why; Secrets Manager answers with its failure codes. */
function kmsFailure(error: unknown, Failure: typeof EncryptionFailure | typeof DecryptionFailure): unknown {
  if (error instanceof AccessDeniedException || !(error instanceof AwsError)) return error;
  return new Failure(
    `${Failure === EncryptionFailure ? 'Encryption' : 'Decryption'} failed with KMS: ${error.code}: ${error.message}`,
  );
}

export async function encryptValue(
  deps: SecretsManagerDeps,
  secret: Pick<SecretRecord, 'arn' | 'body'>,
  versionId: string,
  value: SecretValue,
  context: RequestContext,
): Promise<Buffer> {
  try {
    const keyId = await keyOf(deps, secret, 'kms:GenerateDataKey', context);
    const { ciphertextBlob } = await deps.keyRing.encrypt(keyId, value.bytes, {
      SecretARN: secret.arn,
      SecretVersionId: versionId,
    });
    return ciphertextBlob;
  } catch (error) {
    throw kmsFailure(error, EncryptionFailure);
  }
}

export async function decryptValue(
  deps: SecretsManagerDeps,
  secret: SecretRecord,
  version: SecretVersionRecord,
  context: RequestContext,
): Promise<SecretValue> {
  try {
    await keyOf(deps, secret, 'kms:Decrypt', context);
    const { plaintext } = await deps.keyRing.decrypt(version.ciphertext, {
      SecretARN: secret.arn,
      SecretVersionId: version.versionId,
    });
    return { kind: version.kind, bytes: plaintext };
  } catch (error) {
    throw kmsFailure(error, DecryptionFailure);
  }
}

/** SecretString or SecretBinary, exactly one (InvalidParameterException otherwise is the caller's). */
export function valueOf(input: { SecretString?: string; SecretBinary?: Uint8Array }): SecretValue | undefined {
  if (input.SecretString !== undefined) return { kind: 'string', bytes: Buffer.from(input.SecretString, 'utf8') };
  if (input.SecretBinary !== undefined) return { kind: 'binary', bytes: Buffer.from(input.SecretBinary) };
  return undefined;
}
