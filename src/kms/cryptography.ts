import type { RequestContext } from '../shared/request-context.ts';
import { keyFor, type KmsDeps } from './deps.ts';
import { ValidationException } from './validation-exception.ts';
import type {
  DataKeySpec,
  DecryptRequest,
  DecryptResponse,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextRequest,
  GenerateDataKeyWithoutPlaintextResponse,
} from './shapes.generated.ts';

export async function encrypt(deps: KmsDeps, input: EncryptRequest, context: RequestContext): Promise<EncryptResponse> {
  const key = await keyFor(deps, input.KeyId, 'kms:Encrypt', context);
  const { ciphertextBlob, keyArn } = await deps.keyRing.encrypt(key.keyId, input.Plaintext, input.EncryptionContext);
  return { CiphertextBlob: ciphertextBlob, KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

export async function decrypt(deps: KmsDeps, input: DecryptRequest, context: RequestContext): Promise<DecryptResponse> {
  if (input.CiphertextBlob === undefined)
    throw new ValidationException("CiphertextBlob is required for a symmetric key's ciphertext");
  if (input.KeyId !== undefined) await keyFor(deps, input.KeyId, 'kms:Decrypt', context);
  const { plaintext, keyArn } = await deps.keyRing.decrypt(
    input.CiphertextBlob,
    input.EncryptionContext,
    input.KeyId === undefined ? {} : { keyId: input.KeyId },
  );
  return { KeyId: keyArn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

export async function generateDataKey(
  deps: KmsDeps,
  input: GenerateDataKeyRequest,
  context: RequestContext,
): Promise<GenerateDataKeyResponse> {
  const key = await keyFor(deps, input.KeyId, 'kms:GenerateDataKey', context);
  const bytes = dataKeyBytes(input.KeySpec, input.NumberOfBytes);
  const dataKey = await deps.keyRing.generateDataKey(key.keyId, bytes, input.EncryptionContext);
  return { CiphertextBlob: dataKey.ciphertextBlob, Plaintext: dataKey.plaintext, KeyId: dataKey.keyArn };
}

export async function generateDataKeyWithoutPlaintext(
  deps: KmsDeps,
  input: GenerateDataKeyWithoutPlaintextRequest,
  context: RequestContext,
): Promise<GenerateDataKeyWithoutPlaintextResponse> {
  const key = await keyFor(deps, input.KeyId, 'kms:GenerateDataKeyWithoutPlaintext', context);
  const bytes = dataKeyBytes(input.KeySpec, input.NumberOfBytes);
  const dataKey = await deps.keyRing.generateDataKey(key.keyId, bytes, input.EncryptionContext);
  return { CiphertextBlob: dataKey.ciphertextBlob, KeyId: dataKey.keyArn };
}

/** KeySpec or NumberOfBytes, exactly one of them (KMS's ValidationException otherwise). */
function dataKeyBytes(spec: DataKeySpec | undefined, numberOfBytes: number | undefined): number {
  if (spec !== undefined && numberOfBytes !== undefined)
    throw new ValidationException('Please specify either number of bytes or key spec.');
  if (spec === undefined && numberOfBytes === undefined)
    throw new ValidationException('Please specify either number of bytes or key spec.');
  return spec === 'AES_128' ? 16 : spec === 'AES_256' ? 32 : numberOfBytes!;
}
