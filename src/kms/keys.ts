import type { RequestContext } from '../shared/request-context.ts';
import type { KmsKeyRecord } from '../store/index.ts';
import { type KmsDeps } from './deps.ts';
import {
  InvalidMarkerException,
  KMSInvalidStateException,
  MalformedPolicyDocumentException,
  UnsupportedOperationException,
} from './errors.ts';
import { ValidationException } from './validation-exception.ts';
import { keyMetadata } from './key-metadata.ts';
import type {
  CancelKeyDeletionRequest,
  CancelKeyDeletionResponse,
  CreateKeyRequest,
  CreateKeyResponse,
  DescribeKeyRequest,
  DescribeKeyResponse,
  DisableKeyRequest,
  EnableKeyRequest,
  ListKeysRequest,
  ListKeysResponse,
  ScheduleKeyDeletionRequest,
  ScheduleKeyDeletionResponse,
} from './shapes.generated.ts';

const DAY_MS = 86_400_000;

export async function createKey(
  deps: KmsDeps,
  input: CreateKeyRequest,
  context: RequestContext,
): Promise<CreateKeyResponse> {
  if (input.Policy !== undefined) checkKeyPolicy(deps, input.Policy);
  const key = await deps.keyRing.createKey({
    ...(input.Description === undefined ? {} : { description: input.Description }),
    ...(input.Policy === undefined ? {} : { policy: input.Policy }),
    tags: input.Tags ?? [],
  });
  return { KeyMetadata: keyMetadata(key, context.accountId) };
}

/** DescribeKey of an AWS managed key's alias makes the key, as KMS does. */
export async function describeKey(
  deps: KmsDeps,
  input: DescribeKeyRequest,
  context: RequestContext,
): Promise<DescribeKeyResponse> {
  const key = await deps.keyRing.find(input.KeyId);
  return { KeyMetadata: keyMetadata(key, context.accountId) };
}

export async function listKeys(deps: KmsDeps, input: ListKeysRequest): Promise<ListKeysResponse> {
  const limit = input.Limit ?? 1000;
  if (input.Marker !== undefined && !/^[0-9a-f-]{36}$/.test(input.Marker))
    throw new InvalidMarkerException('Invalid marker');
  const keys = await deps.keyRing.list({ after: input.Marker, limit: limit + 1 });
  const page = keys.slice(0, limit);
  const truncated = keys.length > limit;
  return {
    Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })),
    Truncated: truncated,
    ...(truncated ? { NextMarker: page.at(-1)!.keyId } : {}),
  };
}

export async function enableKey(deps: KmsDeps, input: EnableKeyRequest): Promise<void> {
  await deps.keyRing.update(input.KeyId, (key) => {
    customerManaged(key);
    if (key.state === 'PendingDeletion') throw KMSInvalidStateException.pendingDeletion(key.arn);
    return key.state === 'Enabled' ? key : { ...key, state: 'Enabled' };
  });
}

export async function disableKey(deps: KmsDeps, input: DisableKeyRequest): Promise<void> {
  await deps.keyRing.update(input.KeyId, (key) => {
    customerManaged(key);
    if (key.state === 'PendingDeletion') throw KMSInvalidStateException.pendingDeletion(key.arn);
    return key.state === 'Disabled' ? key : { ...key, state: 'Disabled' };
  });
}

export async function scheduleKeyDeletion(
  deps: KmsDeps,
  input: ScheduleKeyDeletionRequest,
): Promise<ScheduleKeyDeletionResponse> {
  const days = input.PendingWindowInDays ?? 30;
  if (days < 7 || days > 30) {
    const bound = days < 7 ? 'greater than or equal to 7' : 'less than or equal to 30';
    throw new ValidationException(
      `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  const key = await deps.keyRing.update(input.KeyId, (current) => {
    customerManaged(current);
    if (current.state === 'PendingDeletion') throw KMSInvalidStateException.pendingDeletion(current.arn);
    const deletionDate = new Date(deps.clock.now().getTime() + days * DAY_MS);
    return { ...current, state: 'PendingDeletion', deletionDate, pendingWindowInDays: days };
  });
  return {
    KeyId: key.arn,
    DeletionDate: key.deletionDate!,
    KeyState: 'PendingDeletion',
    PendingWindowInDays: days,
  };
}

/** A key whose deletion is cancelled is Disabled, as on KMS. */
export async function cancelKeyDeletion(
  deps: KmsDeps,
  input: CancelKeyDeletionRequest,
): Promise<CancelKeyDeletionResponse> {
  const key = await deps.keyRing.update(input.KeyId, (current) => {
    if (current.state !== 'PendingDeletion') throw KMSInvalidStateException.notPendingDeletion(current.arn);
    const rest: { -readonly [K in keyof KmsKeyRecord]?: KmsKeyRecord[K] } = { ...current };
    delete rest.deletionDate;
    delete rest.pendingWindowInDays;
    return { ...(rest as KmsKeyRecord), state: 'Disabled' };
  });
  return { KeyId: key.arn };
}

/** AWS managed keys belong to their service: their state, policy and tags do not change. */
export function customerManaged(key: KmsKeyRecord): void {
  if (key.keyManager === 'AWS')
    throw new UnsupportedOperationException(`${key.arn} is an AWS managed key, which cannot be changed.`);
}

export function checkKeyPolicy(deps: KmsDeps, text: string): void {
  try {
    deps.checkPolicy(text);
  } catch (error) {
    throw new MalformedPolicyDocumentException((error as Error).message);
  }
}
