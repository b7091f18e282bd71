import type { MemberRule, MemberTable } from '../shared/member-classification.ts';

/*
 * What each Secrets Manager operation does with each input member (shared/member-classification.ts).
 * Berth is one region: replicas are refused. Rotation is not built yet: RotateSecret answers that
 * it is refused, whatever its members.
 */

const REPLICAS: MemberRule = {
  refused: 'a Berth server is one region: the secret would not be replicated',
  byDesign: true,
};
const TYPE: MemberRule = { inert: 'the type of a secret managed by another service, which Berth has none of' };
const ROTATION: MemberRule = { inert: 'RotateSecret is refused whatever it is given (rotation is not built yet)' };

export const secretsManagerMembers: MemberTable = {
  CreateSecret: {
    acted: [
      'Name',
      'ClientRequestToken',
      'Description',
      'KmsKeyId',
      'SecretBinary',
      'SecretString',
      'Tags[].Key',
      'Tags[].Value',
    ],
    rules: {
      AddReplicaRegions: REPLICAS,
      ForceOverwriteReplicaSecret: { inert: 'no replicas to overwrite in a one-region server' },
      Type: TYPE,
    },
  },
  GetSecretValue: { acted: ['SecretId', 'VersionId', 'VersionStage'] },
  BatchGetSecretValue: { acted: ['SecretIdList', 'Filters[].Key', 'Filters[].Values', 'MaxResults', 'NextToken'] },
  PutSecretValue: {
    acted: ['SecretId', 'ClientRequestToken', 'SecretBinary', 'SecretString', 'VersionStages'],
    rules: { RotationToken: { inert: 'no rotation functions: there is no rotation to tie the call to' } },
  },
  UpdateSecret: {
    acted: ['SecretId', 'ClientRequestToken', 'Description', 'KmsKeyId', 'SecretBinary', 'SecretString'],
    rules: { Type: TYPE },
  },
  DescribeSecret: { acted: ['SecretId'] },
  ListSecrets: {
    acted: [
      'IncludePlannedDeletion',
      'MaxResults',
      'NextToken',
      'Filters[].Key',
      'Filters[].Values',
      'SortOrder',
      'SortBy',
    ],
  },
  DeleteSecret: { acted: ['SecretId', 'RecoveryWindowInDays', 'ForceDeleteWithoutRecovery'] },
  RestoreSecret: { acted: ['SecretId'] },
  UpdateSecretVersionStage: { acted: ['SecretId', 'VersionStage', 'RemoveFromVersionId', 'MoveToVersionId'] },
  ListSecretVersionIds: { acted: ['SecretId', 'MaxResults', 'NextToken', 'IncludeDeprecated'] },
  GetRandomPassword: {
    acted: [
      'PasswordLength',
      'ExcludeCharacters',
      'ExcludeNumbers',
      'ExcludePunctuation',
      'ExcludeUppercase',
      'ExcludeLowercase',
      'IncludeSpace',
      'RequireEachIncludedType',
    ],
  },
  PutResourcePolicy: {
    acted: ['SecretId', 'ResourcePolicy'],
    rules: {
      BlockPublicPolicy: { inert: 'a Berth server is one account: no policy can open a secret to other accounts' },
    },
  },
  GetResourcePolicy: { acted: ['SecretId'] },
  DeleteResourcePolicy: { acted: ['SecretId'] },
  ValidateResourcePolicy: { acted: ['SecretId', 'ResourcePolicy'] },
  TagResource: { acted: ['SecretId', 'Tags[].Key', 'Tags[].Value'] },
  UntagResource: { acted: ['SecretId', 'TagKeys'] },
  RotateSecret: {
    acted: ['SecretId'],
    rules: {
      ClientRequestToken: ROTATION,
      RotationLambdaARN: ROTATION,
      RotationRules: ROTATION,
      ExternalSecretRotationMetadata: ROTATION,
      ExternalSecretRotationRoleArn: ROTATION,
      RotateImmediately: ROTATION,
    },
  },
};
