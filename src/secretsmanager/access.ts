import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * What each Secrets Manager operation asks the access control for (Service Authorization
 * Reference, "AWS Secrets Manager"): `secretsmanager:<Operation>` on the secret's ARN
 * (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX), `*` for GetRandomPassword,
 * ListSecrets and BatchGetSecretValue (whose secrets each need GetSecretValue, asked by the
 * operation), with secretsmanager:SecretId, VersionId, VersionStage, Name, Description, KmsKeyId,
 * RecoveryWindowInDays, ForceDeleteWithoutRecovery, BlockPublicPolicy, aws:RequestTag/* and
 * aws:TagKeys. A secret named by its name has an ARN only once looked up (its random suffix): the
 * declaration then names it for every caller and the operation authorizes the ARN (deps.ts
 * findSecret). CreateSecret asks on NAME-?????? (the suffix is not made yet), which the policies
 * AWS documents (secret:NAME-??????, secret:NAME-*) match.
 */

type Input = Record<string, unknown>;
type Conditions = Record<string, string | string[]>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function defined(entries: Record<string, string | string[] | undefined>): Conditions {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Conditions;
}

function requestTags(tags: unknown): Conditions {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const pairs = tags.map((tag) => [text((tag as Input).Key) ?? '', text((tag as Input).Value) ?? ''] as const);
  return {
    ...Object.fromEntries(pairs.map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    'aws:TagKeys': pairs.map(([key]) => key),
  };
}

function onSecret(action: string, more: (input: Input) => Conditions = () => ({})): Declare {
  return (input) => {
    const secretId = text(input.SecretId) ?? '*';
    const conditions = { 'secretsmanager:SecretId': secretId, ...more(input) };
    if (!secretId.startsWith('arn:')) return [{ action, resource: secretId, conditions, everyCaller: true }];
    return [{ action, resource: secretId, conditions }];
  };
}

const anywhere =
  (action: string): Declare =>
  () => [{ action, resource: '*' }];

const DECLARATIONS: Record<string, Declare> = {
  // With Tags, CreateSecret also needs secretsmanager:TagResource (its reference says so).
  CreateSecret: (input, context) => {
    const resource = formatArn('secretsmanager', context, `secret:${text(input.Name) ?? ''}-??????`);
    const tags = requestTags(input.Tags);
    const create: AccessRequest = {
      action: 'secretsmanager:CreateSecret',
      resource,
      conditions: {
        ...defined({
          'secretsmanager:Name': text(input.Name),
          'secretsmanager:Description': text(input.Description),
          'secretsmanager:KmsKeyId': text(input.KmsKeyId),
        }),
        ...tags,
      },
    };
    if (!Array.isArray(input.Tags) || input.Tags.length === 0) return [create];
    return [create, { action: 'secretsmanager:TagResource', resource, conditions: tags }];
  },
  GetSecretValue: onSecret('secretsmanager:GetSecretValue', (input) =>
    defined({
      'secretsmanager:VersionId': text(input.VersionId),
      'secretsmanager:VersionStage': text(input.VersionStage),
    }),
  ),
  BatchGetSecretValue: anywhere('secretsmanager:BatchGetSecretValue'),
  PutSecretValue: onSecret('secretsmanager:PutSecretValue'),
  UpdateSecret: onSecret('secretsmanager:UpdateSecret', (input) =>
    defined({ 'secretsmanager:Description': text(input.Description), 'secretsmanager:KmsKeyId': text(input.KmsKeyId) }),
  ),
  DescribeSecret: onSecret('secretsmanager:DescribeSecret'),
  ListSecrets: anywhere('secretsmanager:ListSecrets'),
  DeleteSecret: onSecret('secretsmanager:DeleteSecret', (input) =>
    defined({
      'secretsmanager:RecoveryWindowInDays':
        input.RecoveryWindowInDays === undefined ? undefined : String(input.RecoveryWindowInDays),
      'secretsmanager:ForceDeleteWithoutRecovery': String(input.ForceDeleteWithoutRecovery === true),
    }),
  ),
  RestoreSecret: onSecret('secretsmanager:RestoreSecret'),
  UpdateSecretVersionStage: onSecret('secretsmanager:UpdateSecretVersionStage', (input) =>
    defined({ 'secretsmanager:VersionStage': text(input.VersionStage) }),
  ),
  ListSecretVersionIds: onSecret('secretsmanager:ListSecretVersionIds'),
  GetRandomPassword: anywhere('secretsmanager:GetRandomPassword'),
  PutResourcePolicy: onSecret('secretsmanager:PutResourcePolicy', (input) => ({
    'secretsmanager:BlockPublicPolicy': String(input.BlockPublicPolicy !== false),
  })),
  GetResourcePolicy: onSecret('secretsmanager:GetResourcePolicy'),
  DeleteResourcePolicy: onSecret('secretsmanager:DeleteResourcePolicy'),
  ValidateResourcePolicy: (input, context) =>
    input.SecretId === undefined
      ? [{ action: 'secretsmanager:ValidateResourcePolicy', resource: '*' }]
      : onSecret('secretsmanager:ValidateResourcePolicy')(input, context),
  TagResource: onSecret('secretsmanager:TagResource', (input) => requestTags(input.Tags)),
  UntagResource: onSecret('secretsmanager:UntagResource', (input): Conditions =>
    Array.isArray(input.TagKeys) && input.TagKeys.length > 0 ? { 'aws:TagKeys': input.TagKeys as string[] } : {},
  ),
  RotateSecret: onSecret('secretsmanager:RotateSecret'),
};

/** The access declarations of the Secrets Manager operations Berth implements, by operation name. */
export const secretsManagerAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<
  string,
  DeclareAccess
>;
