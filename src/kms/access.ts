import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { blobKeyArn, isAliasIdentifier } from './deps.ts';

/**
 * What each KMS operation asks the access control for (Service Authorization Reference, "AWS Key
 * Management Service"): `kms:<Operation>` on the key (arn:aws:kms:REGION:ACCOUNT:key/KEY_ID), on
 * the alias too for the alias operations, `*` for CreateKey, ListKeys and ListAliases, with
 * kms:CallerAccount and the request's condition keys (kms:EncryptionContext:*,
 * kms:EncryptionContextKeys, kms:EncryptionAlgorithm, kms:KeySpec, kms:KeyUsage, kms:KeyOrigin,
 * aws:RequestTag/*, aws:TagKeys). The key policy is the key's resource-based policy
 * (key-policy-source.ts). A key named by an alias is only known once looked up: the declaration
 * then names the alias for every caller, and the operation authorizes the key behind it (deps.ts
 * keyFor), as KMS authorizes the key.
 */

type Input = Record<string, unknown>;
type Conditions = Record<string, string | string[]>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The key ARN a KeyId names without a lookup (a key id or key ARN). */
function keyArn(keyId: string, context: RequestContext): string {
  return keyId.startsWith('arn:') ? keyId : formatArn('kms', context, `key/${keyId}`);
}

function aliasArn(name: string, context: RequestContext): string {
  return name.startsWith('arn:') ? name : formatArn('kms', context, name);
}

function caller(context: RequestContext): Conditions {
  return { 'kms:CallerAccount': context.accountId };
}

function encryptionContext(value: unknown): Conditions {
  if (typeof value !== 'object' || value === null) return {};
  const entries = Object.entries(value as Record<string, unknown>);
  return {
    ...Object.fromEntries(entries.map(([key, v]) => [`kms:EncryptionContext:${key}`, text(v) ?? ''])),
    ...(entries.length > 0 ? { 'kms:EncryptionContextKeys': entries.map(([key]) => key) } : {}),
  };
}

function requestTags(tags: unknown, keyName: string, valueName: string): Conditions {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const pairs = tags.map(
    (tag) => [text((tag as Input)[keyName]) ?? '', text((tag as Input)[valueName]) ?? ''] as const,
  );
  return {
    ...Object.fromEntries(pairs.map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    'aws:TagKeys': pairs.map(([key]) => key),
  };
}

/** `action` on the key KeyId names, with `more` condition keys. */
function onKey(action: string, more: (input: Input) => Conditions = () => ({})): Declare {
  return (input, context) => {
    const keyId = text(input.KeyId) ?? '*';
    if (isAliasIdentifier(keyId)) return [{ action, resource: aliasArn(keyId, context), everyCaller: true }];
    return [{ action, resource: keyArn(keyId, context), conditions: { ...caller(context), ...more(input) } }];
  };
}

function onAccount(action: string, more: (input: Input) => Conditions = () => ({})): Declare {
  return (input, context) => [{ action, resource: '*', conditions: { ...caller(context), ...more(input) } }];
}

/** The alias operations ask on the alias and on the key it is made to point to. */
function onAliasAndTarget(action: string): Declare {
  return (input, context) => {
    const requests: AccessRequest[] = [
      { action, resource: aliasArn(text(input.AliasName) ?? '*', context), conditions: caller(context) },
    ];
    const target = text(input.TargetKeyId);
    if (target !== undefined && !isAliasIdentifier(target))
      requests.push({ action, resource: keyArn(target, context), conditions: caller(context) });
    return requests;
  };
}

const withContext = (input: Input): Conditions => ({
  ...encryptionContext(input.EncryptionContext),
  'kms:EncryptionAlgorithm': text(input.EncryptionAlgorithm) ?? 'SYMMETRIC_DEFAULT',
});

const DECLARATIONS: Record<string, Declare> = {
  // "To use the Tags parameter, you must have kms:TagResource permission" (CreateKey's reference).
  CreateKey: (input, context) => {
    const tags = requestTags(input.Tags, 'TagKey', 'TagValue');
    const create = onAccount('kms:CreateKey', () => ({
      'kms:KeySpec': text(input.KeySpec) ?? text(input.CustomerMasterKeySpec) ?? 'SYMMETRIC_DEFAULT',
      'kms:KeyUsage': text(input.KeyUsage) ?? 'ENCRYPT_DECRYPT',
      'kms:KeyOrigin': text(input.Origin) ?? 'AWS_KMS',
      'kms:MultiRegion': String(input.MultiRegion === true),
      'kms:BypassPolicyLockoutSafetyCheck': String(input.BypassPolicyLockoutSafetyCheck === true),
      ...tags,
    }))(input, context);
    if (!Array.isArray(input.Tags) || input.Tags.length === 0) return create;
    return [...create, { action: 'kms:TagResource', resource: '*', conditions: { ...caller(context), ...tags } }];
  },
  DescribeKey: onKey('kms:DescribeKey'),
  ListKeys: onAccount('kms:ListKeys'),
  EnableKey: onKey('kms:EnableKey'),
  DisableKey: onKey('kms:DisableKey'),
  ScheduleKeyDeletion: onKey('kms:ScheduleKeyDeletion'),
  CancelKeyDeletion: onKey('kms:CancelKeyDeletion'),
  CreateAlias: onAliasAndTarget('kms:CreateAlias'),
  UpdateAlias: onAliasAndTarget('kms:UpdateAlias'),
  DeleteAlias: onAliasAndTarget('kms:DeleteAlias'),
  ListAliases: onAccount('kms:ListAliases'),
  Encrypt: onKey('kms:Encrypt', withContext),
  Decrypt: (input, context) => {
    const named = text(input.KeyId);
    if (named !== undefined && isAliasIdentifier(named)) return onKey('kms:Decrypt', withContext)(input, context);
    const resource = named !== undefined ? keyArn(named, context) : (blobKeyArn(input.CiphertextBlob, context) ?? '*');
    return [{ action: 'kms:Decrypt', resource, conditions: { ...caller(context), ...withContext(input) } }];
  },
  GenerateDataKey: onKey('kms:GenerateDataKey', (input) => encryptionContext(input.EncryptionContext)),
  GenerateDataKeyWithoutPlaintext: onKey('kms:GenerateDataKeyWithoutPlaintext', (input) =>
    encryptionContext(input.EncryptionContext),
  ),
  GetKeyPolicy: onKey('kms:GetKeyPolicy'),
  PutKeyPolicy: onKey('kms:PutKeyPolicy', (input) => ({
    'kms:BypassPolicyLockoutSafetyCheck': String(input.BypassPolicyLockoutSafetyCheck === true),
  })),
  ListKeyPolicies: onKey('kms:ListKeyPolicies'),
  TagResource: onKey('kms:TagResource', (input) => requestTags(input.Tags, 'TagKey', 'TagValue')),
  UntagResource: onKey('kms:UntagResource', (input): Conditions =>
    Array.isArray(input.TagKeys) && input.TagKeys.length > 0 ? { 'aws:TagKeys': input.TagKeys as string[] } : {},
  ),
  ListResourceTags: onKey('kms:ListResourceTags'),
};

/** The access declarations of the KMS operations Berth implements, by operation name. */
export const kmsAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
