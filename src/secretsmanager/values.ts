import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../shared/request-context.ts';
import type { SecretRecord, SecretVersionRecord } from '../store/index.ts';
import { bodyOf, findSecret, type SecretsManagerDeps } from './deps.ts';
import { decryptValue, encryptValue, valueOf } from './encryption.ts';
import { InvalidParameterException, ResourceExistsException, ResourceNotFoundException } from './errors.ts';
import type {
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from './shapes.generated.ts';
import { checkStageMove, moveStages, stagesAfter } from './stages.ts';

const DAY_MS = 86_400_000;

export async function getSecretValue(
  deps: SecretsManagerDeps,
  input: GetSecretValueRequest,
  context: RequestContext,
): Promise<GetSecretValueResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:GetSecretValue', context });
  return readValue(deps, secret, input, context);
}

/** One version's value (by VersionId and/or VersionStage, AWSCURRENT by default), decrypted. */
export async function readValue(
  deps: SecretsManagerDeps,
  secret: SecretRecord,
  input: { VersionId?: string; VersionStage?: string },
  context: RequestContext,
): Promise<GetSecretValueResponse> {
  const versions = await deps.secrets.versions(secret.arn);
  const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
  const version = versions.find(
    (v) =>
      (input.VersionId === undefined || v.versionId === input.VersionId) &&
      (stage === undefined || v.stages.includes(stage)),
  );
  if (!version) throw ResourceNotFoundException.version();
  const value = await decryptValue(deps, secret, version, context);
  await noteAccess(deps, secret, version);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...(value.kind === 'string' ? { SecretString: value.bytes.toString('utf8') } : { SecretBinary: value.bytes }),
    VersionStages: [...version.stages],
    CreatedDate: version.createdAt,
  };
}

/** LastAccessedDate, which Secrets Manager keeps to the day: one write a day at most. */
async function noteAccess(deps: SecretsManagerDeps, secret: SecretRecord, version: SecretVersionRecord): Promise<void> {
  const today = Math.floor(deps.clock.now().getTime() / DAY_MS) * DAY_MS;
  if (bodyOf(secret).lastAccessedDate === today && version.lastAccessedAt?.getTime() === today) return;
  await deps.secrets.write({
    secret: { ...secret, body: { ...secret.body, lastAccessedDate: today } },
    versions: [{ ...version, lastAccessedAt: new Date(today) }],
  });
}

/**
 * A new version with its stages (AWSCURRENT by default). The ClientRequestToken is the version id:
 * the same token with the same value is the same request and answers again; with another value it
 * is refused, as Secrets Manager does.
 */
export async function addVersion(
  deps: SecretsManagerDeps,
  secret: SecretRecord,
  request: {
    token: string | undefined;
    value: { SecretString?: string; SecretBinary?: Uint8Array };
    stages?: readonly string[];
    body?: SecretRecord['body'];
  },
  context: RequestContext,
): Promise<{ versionId: string; stages: string[]; created: boolean }> {
  const value = valueOf(request.value);
  if (!value) throw new InvalidParameterException('You must provide either SecretString or SecretBinary.');
  const versionId = request.token ?? randomUUID();
  const versions = await deps.secrets.versions(secret.arn);
  const existing = versions.find((version) => version.versionId === versionId);
  if (existing) {
    const old = await decryptValue(deps, secret, existing, context);
    if (old.kind === value.kind && old.bytes.equals(value.bytes))
      return { versionId, stages: [...existing.stages], created: false };
    throw new ResourceExistsException("You can't modify an existing version, you can only create a new version.");
  }
  const body = request.body ?? secret.body;
  const ciphertext = await encryptValue(deps, { arn: secret.arn, body }, versionId, value, context);
  const stages = request.stages ?? ['AWSCURRENT'];
  const now = deps.clock.now();
  await deps.secrets.write({
    secret: { ...secret, body: { ...body, lastChangedDate: now.getTime() } },
    versions: [
      ...moveStages(versions, versionId, stages),
      { versionId, createdAt: now, stages: stagesAfter(versions, versionId, stages), kind: value.kind, ciphertext },
    ],
  });
  return { versionId, stages: stagesAfter(versions, versionId, stages), created: true };
}

export async function putSecretValue(
  deps: SecretsManagerDeps,
  input: PutSecretValueRequest,
  context: RequestContext,
): Promise<PutSecretValueResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:PutSecretValue', context });
  const { versionId, stages } = await addVersion(
    deps,
    secret,
    { token: input.ClientRequestToken, value: input, ...(input.VersionStages ? { stages: input.VersionStages } : {}) },
    context,
  );
  return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: stages };
}

export async function updateSecretVersionStage(
  deps: SecretsManagerDeps,
  input: UpdateSecretVersionStageRequest,
  context: RequestContext,
): Promise<UpdateSecretVersionStageResponse> {
  const secret = await findSecret(deps, input.SecretId, { action: 'secretsmanager:UpdateSecretVersionStage', context });
  const versions = await deps.secrets.versions(secret.arn);
  checkStageMove(versions, input.VersionStage, input.RemoveFromVersionId, input.MoveToVersionId);
  let changed: SecretVersionRecord[];
  if (input.MoveToVersionId !== undefined) changed = moveStages(versions, input.MoveToVersionId, [input.VersionStage]);
  else
    changed = versions
      .filter((version) => version.versionId === input.RemoveFromVersionId)
      .map((version) => ({ ...version, stages: version.stages.filter((stage) => stage !== input.VersionStage) }));
  await deps.secrets.write({
    secret: { ...secret, body: { ...secret.body, lastChangedDate: deps.clock.now().getTime() } },
    versions: changed,
  });
  return { ARN: secret.arn, Name: secret.name };
}

export async function listSecretVersionIds(
  deps: SecretsManagerDeps,
  input: ListSecretVersionIdsRequest,
  context: RequestContext,
): Promise<ListSecretVersionIdsResponse> {
  const secret = await findSecret(deps, input.SecretId, {
    action: 'secretsmanager:ListSecretVersionIds',
    context,
    deleted: 'allow',
  });
  const all = (await deps.secrets.versions(secret.arn)).filter((v) => input.IncludeDeprecated || v.stages.length > 0);
  const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
  if (!Number.isInteger(start) || start < 0 || start > all.length)
    throw new InvalidParameterException('Invalid NextToken.');
  const limit = input.MaxResults ?? 100;
  const page = all.slice(start, start + limit);
  return {
    ARN: secret.arn,
    Name: secret.name,
    Versions: page.map((v) => ({
      VersionId: v.versionId,
      VersionStages: [...v.stages],
      CreatedDate: v.createdAt,
      ...(v.lastAccessedAt ? { LastAccessedDate: v.lastAccessedAt } : {}),
      KmsKeyIds: [bodyOf(secret).kmsKeyId ?? 'DefaultEncryptionKey'],
    })),
    ...(start + limit < all.length ? { NextToken: String(start + limit) } : {}),
  };
}
