import { noneOf, type MemberRule, type MemberTable } from '../shared/member-classification.ts';

/*
 * What each KMS operation does with each input member (shared/member-classification.ts). Berth's
 * keys are symmetric encryption keys made by KMS itself, in one region: other key specs, usages,
 * origins, custom key stores and multi-Region keys are refused, as are dry runs and Nitro Enclave
 * recipients. src/aws-protocol/ refuses; a test checks that every input member is classified here.
 */

const GRANT_TOKENS: MemberRule = { inert: 'no grants: permissions come from key policies and IAM policies' };
const DRY_RUN: MemberRule = { refused: 'the call would run for real instead of only being checked' };
const RECIPIENT: MemberRule = {
  refused: 'no Nitro Enclaves: the plaintext would be returned in clear instead of for the enclave',
  byDesign: true,
};
const ALGORITHM: MemberRule = {
  refused: 'Berth has symmetric keys only (SYMMETRIC_DEFAULT): the call would use another algorithm than asked',
  when: noneOf(undefined, 'SYMMETRIC_DEFAULT'),
};
const BYPASS: MemberRule = {
  inert: 'the policy lockout safety check is not made: the account root keeps access to every key in Berth',
};

export const kmsMembers: MemberTable = {
  CreateKey: {
    acted: ['Policy', 'Description', 'Tags[].TagKey', 'Tags[].TagValue'],
    rules: {
      KeyUsage: {
        refused: 'Berth has symmetric encryption keys only (ENCRYPT_DECRYPT): the key would not do what was asked',
        when: noneOf(undefined, 'ENCRYPT_DECRYPT'),
      },
      KeySpec: {
        refused: 'Berth has symmetric encryption keys only (SYMMETRIC_DEFAULT): the key would be of another spec',
        when: noneOf(undefined, 'SYMMETRIC_DEFAULT'),
      },
      CustomerMasterKeySpec: {
        refused: 'Berth has symmetric encryption keys only (SYMMETRIC_DEFAULT): the key would be of another spec',
        when: noneOf(undefined, 'SYMMETRIC_DEFAULT'),
      },
      Origin: {
        refused: 'Berth makes key material itself (AWS_KMS): imported and external key material are not supported',
        when: noneOf(undefined, 'AWS_KMS'),
      },
      CustomKeyStoreId: { refused: 'no custom key stores: the key would be kept in Berth', byDesign: true },
      XksKeyId: { refused: 'no external key stores: the key would be kept in Berth', byDesign: true },
      MultiRegion: { refused: 'a Berth server is one region: the key would not be replicated', byDesign: true },
      BypassPolicyLockoutSafetyCheck: BYPASS,
    },
  },
  DescribeKey: { acted: ['KeyId'], rules: { GrantTokens: GRANT_TOKENS } },
  ListKeys: { acted: ['Limit', 'Marker'] },
  EnableKey: { acted: ['KeyId'] },
  DisableKey: { acted: ['KeyId'] },
  ScheduleKeyDeletion: { acted: ['KeyId', 'PendingWindowInDays'] },
  CancelKeyDeletion: { acted: ['KeyId'] },
  CreateAlias: { acted: ['AliasName', 'TargetKeyId'] },
  UpdateAlias: { acted: ['AliasName', 'TargetKeyId'] },
  DeleteAlias: { acted: ['AliasName'] },
  ListAliases: { acted: ['KeyId', 'Limit', 'Marker'] },
  Encrypt: {
    acted: ['KeyId', 'Plaintext', 'EncryptionContext'],
    rules: { GrantTokens: GRANT_TOKENS, EncryptionAlgorithm: ALGORITHM, DryRun: DRY_RUN },
  },
  Decrypt: {
    acted: ['CiphertextBlob', 'EncryptionContext', 'KeyId'],
    rules: {
      GrantTokens: GRANT_TOKENS,
      EncryptionAlgorithm: ALGORITHM,
      Recipient: RECIPIENT,
      DryRun: DRY_RUN,
      DryRunModifiers: { inert: 'only read with DryRun, which is refused' },
    },
  },
  GenerateDataKey: {
    acted: ['KeyId', 'EncryptionContext', 'NumberOfBytes', 'KeySpec'],
    rules: { GrantTokens: GRANT_TOKENS, Recipient: RECIPIENT, DryRun: DRY_RUN },
  },
  GenerateDataKeyWithoutPlaintext: {
    acted: ['KeyId', 'EncryptionContext', 'KeySpec', 'NumberOfBytes'],
    rules: { GrantTokens: GRANT_TOKENS, DryRun: DRY_RUN },
  },
  GetKeyPolicy: { acted: ['KeyId', 'PolicyName'] },
  PutKeyPolicy: { acted: ['KeyId', 'PolicyName', 'Policy'], rules: { BypassPolicyLockoutSafetyCheck: BYPASS } },
  ListKeyPolicies: {
    acted: ['KeyId'],
    rules: {
      Limit: { inert: 'a key has one policy, "default": the list is never longer than a page' },
      Marker: { inert: 'a key has one policy, "default": there is never a next page' },
    },
  },
  TagResource: { acted: ['KeyId', 'Tags[].TagKey', 'Tags[].TagValue'] },
  UntagResource: { acted: ['KeyId', 'TagKeys'] },
  ListResourceTags: { acted: ['KeyId', 'Limit', 'Marker'] },
};
