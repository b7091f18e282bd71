import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.ts';
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext } from './cryptography.ts';
import type { KmsDeps } from './deps.ts';
import {
  getKeyPolicy,
  listKeyPolicies,
  listResourceTags,
  putKeyPolicy,
  tagResource,
  untagResource,
} from './key-settings.ts';
import {
  cancelKeyDeletion,
  createKey,
  describeKey,
  disableKey,
  enableKey,
  listKeys,
  scheduleKeyDeletion,
} from './keys.ts';
import type { KmsApi } from './shapes.generated.ts';

/** The KMS operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function kmsOperations(deps: KmsDeps): Partial<KmsApi> {
  return {
    CreateKey: (input, context) => createKey(deps, input, context),
    DescribeKey: (input, context) => describeKey(deps, input, context),
    ListKeys: (input) => listKeys(deps, input),
    EnableKey: (input) => enableKey(deps, input),
    DisableKey: (input) => disableKey(deps, input),
    ScheduleKeyDeletion: (input) => scheduleKeyDeletion(deps, input),
    CancelKeyDeletion: (input) => cancelKeyDeletion(deps, input),
    CreateAlias: (input) => createAlias(deps, input),
    UpdateAlias: (input) => updateAlias(deps, input),
    DeleteAlias: (input) => deleteAlias(deps, input),
    ListAliases: (input) => listAliases(deps, input),
    Encrypt: (input, context) => encrypt(deps, input, context),
    Decrypt: (input, context) => decrypt(deps, input, context),
    GenerateDataKey: (input, context) => generateDataKey(deps, input, context),
    GenerateDataKeyWithoutPlaintext: (input, context) => generateDataKeyWithoutPlaintext(deps, input, context),
    GetKeyPolicy: (input) => getKeyPolicy(deps, input),
    PutKeyPolicy: (input) => putKeyPolicy(deps, input),
    ListKeyPolicies: (input) => listKeyPolicies(deps, input),
    TagResource: (input) => tagResource(deps, input),
    UntagResource: (input) => untagResource(deps, input),
    ListResourceTags: (input) => listResourceTags(deps, input),
  };
}
