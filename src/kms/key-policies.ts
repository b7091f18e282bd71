import type { ArnScope } from '../shared/arn.ts';

/*
 * The key policies KMS gives a key that is made without one. CreateKey's default key policy gives
 * the account (its root) kms:*, which is what lets IAM policies grant use of the key ("Key policies
 * in AWS KMS": without such a statement, IAM policies have no effect on the key). An AWS managed
 * key's policy lets every principal of the account use it through its service, and read it.
 */

export function defaultKeyPolicy(scope: ArnScope): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${scope.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

export function awsManagedKeyPolicy(scope: ArnScope, service: string): string {
  const viaService = `${service}.${scope.region}.amazonaws.com`;
  const sid = `Allow access through ${SERVICE_NAMES[service] ?? service} for all principals in the account that are authorized to use ${SERVICE_NAMES[service] ?? service}`;
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${service}-2`,
      Statement: [
        {
          Sid: sid,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: [
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:CreateGrant',
            'kms:DescribeKey',
          ],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': scope.accountId, 'kms:ViaService': viaService } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${scope.accountId}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

const SERVICE_NAMES: Readonly<Record<string, string>> = {
  secretsmanager: 'AWS Secrets Manager',
  ssm: 'AWS Systems Manager',
};
