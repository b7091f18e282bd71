import { randomInt } from 'node:crypto';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { SecretRecord } from '../store/index.ts';
import { bodyOf, findSecret, type SecretBody, type SecretsManagerDeps } from './deps.ts';
import { InvalidParameterException, InvalidRequestException, ResourceExistsException } from './errors.ts';
import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateSecretRequest,
  UpdateSecretResponse,
} from './shapes.generated.ts';
import { addVersion } from './values.ts';

const DAY_MS = 86_400_000;
const SUFFIX = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX, six random characters, as AWS forms it. */
export function newSecretArn(name: string, context: RequestContext): string {
  const suffix = Array.from({ length: 6 }, () => SUFFIX[randomInt(SUFFIX.length)]).join('');
  return formatArn('secretsmanager', context, `secret:${name}-${suffix}`);
}

export async function createSecret(
  deps: SecretsManagerDeps,
  input: CreateSecretRequest,
  context: RequestContext,
): Promise<CreateSecretResponse> {
  const existing = await deps.secrets.getByName(input.Name);
  if (existing) {
    if (bodyOf(existing).deletedDate !== undefined)
      throw new InvalidRequestException(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    throw new ResourceExistsException(`The operation failed because the secret ${input.Name} already exists.`);
  }
  const now = deps.clock.now();
  const body: SecretBody = {
    ...(input.Description === undefined ? {} : { description: input.Description }),
    ...(input.KmsKeyId === undefined ? {} : { kmsKeyId: input.KmsKeyId }),
    ...(input.Tags?.length ? { tags: input.Tags.map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })) } : {}),
    lastChangedDate: now.getTime(),
  };
  const secret: SecretRecord = {
    arn: newSecretArn(input.Name, context),
    name: input.Name,
    createdAt: now,
    body: { ...body },
  };
  // The key is checked before the secret exists: a key that is unusable or not the caller's fails the call.
  if (input.KmsKeyId !== undefined) await deps.keyRing.usable(input.KmsKeyId);
  if (!(await deps.secrets.create({ secret })))
    throw new ResourceExistsException(`The operation failed because the secret ${input.Name} already exists.`);
  const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
  if (!hasValue) return { ARN: secret.arn, Name: secret.name };
  try {
    const { versionId } = await addVersion(deps, secret, { token: input.ClientRequestToken, value: input }, context);
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  } catch (error) {
    await deps.secrets.delete(secret.arn);
    throw error;
  }
}

export async function describeSecret(
  deps: SecretsManagerDeps,
  input: DescribeSecretRequest,
  context: RequestContext,
): Promise<DescribeSecretResponse> {
  const secret = await findSecret(deps, input.SecretId, {
    action: 'secretsmanager:DescribeSecret',
    context,
    deleted: 'allow',
  });
  return { ...(await describe(deps, secret)) };
}

/** What DescribeSecret and ListSecrets say of a secret (ListSecrets calls the stages SecretVersionsToStages). */
export async function describe(deps: SecretsManagerDeps, secret: SecretRecord) {
  const body = bodyOf(secret);
  const versions = await deps.secrets.versions(secret.arn);
  const day = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(body.description === undefined ? {} : { Description: body.description }),
    ...(body.kmsKeyId === undefined ? {} : { KmsKeyId: body.kmsKeyId }),
    ...(body.lastChangedDate === undefined ? {} : { LastChangedDate: day(body.lastChangedDate)! }),
    ...(body.lastAccessedDate === undefined ? {} : { LastAccessedDate: day(body.lastAccessedDate)! }),
    ...(body.deletedDate === undefined ? {} : { DeletedDate: day(body.deletedDate)! }),
    Tags: (body.tags ?? []).map((tag) => ({ Key: tag.Key, Value: tag.Value })),
    VersionIdsToStages: Object.fromEntries(
      versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages]]),
    ),
    CreatedDate: secret.createdAt,
  };
}

/** UpdateSecret: description and key; a value makes a new AWSCURRENT version under the (new) key. */
export async function updateSecret(
  deps: SecretsManagerDeps,
  input: UpdateSecretRequest,
  context: RequestContext,
): Promise<UpdateSecretResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:UpdateSecret', context });
  if (input.KmsKeyId !== undefined) await deps.keyRing.usable(input.KmsKeyId);
  const body: SecretBody = {
    ...bodyOf(secret),
    ...(input.Description === undefined ? {} : { description: input.Description }),
    ...(input.KmsKeyId === undefined ? {} : { kmsKeyId: input.KmsKeyId }),
    lastChangedDate: deps.clock.now().getTime(),
  };
  if (input.SecretString === undefined && input.SecretBinary === undefined) {
    await deps.secrets.write({ secret: { ...secret, body: { ...body } } });
    return { ARN: secret.arn, Name: secret.name };
  }
  const { versionId } = await addVersion(
    deps,
    secret,
    { token: input.ClientRequestToken, value: input, body: { ...body } },
    context,
  );
  return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
}

export async function deleteSecret(
  deps: SecretsManagerDeps,
  input: DeleteSecretRequest,
  context: RequestContext,
): Promise<DeleteSecretResponse> {
  if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined)
    throw new InvalidParameterException(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  const days = input.RecoveryWindowInDays ?? 30;
  if (days < 7 || days > 30)
    throw new InvalidParameterException('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  const secret = await findSecret(deps, input.SecretId, {
    action: 'secretsmanager:DeleteSecret',
    context,
    deleted: 'allow',
  });
  const now = deps.clock.now().getTime();
  if (input.ForceDeleteWithoutRecovery) {
    await deps.secrets.delete(secret.arn);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
  }
  const already = bodyOf(secret).deletedDate;
  if (already !== undefined) throw InvalidRequestException.deleted();
  const deletedDate = now + days * DAY_MS;
  await deps.secrets.write({ secret: { ...secret, body: { ...secret.body, deletedDate } } });
  return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(deletedDate) };
}

export async function restoreSecret(
  deps: SecretsManagerDeps,
  input: RestoreSecretRequest,
  context: RequestContext,
): Promise<RestoreSecretResponse> {
  const secret = await findSecret(deps, input.SecretId, {
    action: 'secretsmanager:RestoreSecret',
    context,
    deleted: 'allow',
  });
  const body: Record<string, unknown> = { ...bodyOf(secret) };
  delete body.deletedDate;
  await deps.secrets.write({ secret: { ...secret, body } });
  return { ARN: secret.arn, Name: secret.name };
}

export async function tagResource(
  deps: SecretsManagerDeps,
  input: TagResourceRequest,
  context: RequestContext,
): Promise<void> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:TagResource', context });
  const tags = new Map((bodyOf(secret).tags ?? []).map((tag) => [tag.Key, tag.Value]));
  for (const tag of input.Tags) tags.set(tag.Key ?? '', tag.Value ?? '');
  if (tags.size > 50) throw new InvalidParameterException('A secret can have at most 50 tags.');
  const list = [...tags].map(([Key, Value]) => ({ Key, Value }));
  await deps.secrets.write({ secret: { ...secret, body: { ...secret.body, tags: list } } });
}

export async function untagResource(
  deps: SecretsManagerDeps,
  input: UntagResourceRequest,
  context: RequestContext,
): Promise<void> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:UntagResource', context });
  const removed = new Set(input.TagKeys);
  const tags = (bodyOf(secret).tags ?? []).filter((tag) => !removed.has(tag.Key));
  await deps.secrets.write({ secret: { ...secret, body: { ...secret.body, tags } } });
}
