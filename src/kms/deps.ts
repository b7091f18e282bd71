import type { AccessRequest } from '../shared/authorization.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { KmsKeyRecord } from '../store/index.ts';
import { blobKeyId } from './ciphertext.ts';
import type { KeyRing } from './key-ring.ts';

export interface KmsDeps {
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  /** Throws the policy grammar's error for a key policy that does not parse (MalformedPolicyDocumentException). */
  readonly checkPolicy: (text: string) => void;
  /** The access control, for the key behind an alias (access.ts declares a key id or ARN only). */
  readonly authorize: (context: RequestContext, requests: readonly AccessRequest[]) => Promise<void>;
}

/** Whether a KeyId names its key through an alias (then the key is known only once looked up). */
export function isAliasIdentifier(keyId: string): boolean {
  return keyId.startsWith('alias/') || /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(keyId);
}

/**
 * The key a KeyId names, authorized for `action` when named by an alias: access.ts could only name
 * the alias, and KMS authorizes the key behind it (with kms:RequestAlias).
 */
export async function keyFor(
  deps: KmsDeps,
  keyId: string,
  action: string,
  context: RequestContext,
): Promise<KmsKeyRecord> {
  const key = await deps.keyRing.find(keyId);
  if (isAliasIdentifier(keyId)) {
    const alias = keyId.startsWith('alias/') ? keyId : keyId.slice(keyId.indexOf(':alias/') + 1);
    await deps.authorize(context, [{ action, resource: key.arn, conditions: { 'kms:RequestAlias': alias } }]);
  }
  return key;
}

/** The key ARN a Decrypt's blob names, for its access declaration. */
export function blobKeyArn(blob: unknown, scope: { region: string; accountId: string }): string | undefined {
  if (!(blob instanceof Uint8Array)) return undefined;
  const keyId = blobKeyId(blob);
  return keyId && `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}
