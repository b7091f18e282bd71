import type { KmsDeps } from './deps.ts';
import {
  AlreadyExistsException,
  InvalidAliasNameException,
  InvalidMarkerException,
  KMSInvalidStateException,
  NotFoundException,
} from './errors.ts';
import { AWS_MANAGED_KEYS } from './key-ring.ts';
import type {
  AliasListEntry,
  CreateAliasRequest,
  DeleteAliasRequest,
  ListAliasesRequest,
  ListAliasesResponse,
  UpdateAliasRequest,
} from './shapes.generated.ts';

/** An alias a caller names: `alias/...`, never in the `alias/aws/` space KMS keeps for AWS managed keys. */
function ownAlias(name: string): string {
  if (!name.startsWith('alias/') || name === 'alias/')
    throw new InvalidAliasNameException(
      `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`,
    );
  if (name.startsWith('alias/aws/'))
    throw new InvalidAliasNameException(
      `Alias ${name} cannot begin with 'alias/aws/'; that prefix is reserved for AWS managed keys.`,
    );
  return name;
}

/** The customer managed key an alias may point to, named by key id or key ARN (not by alias). */
async function aliasTarget(deps: KmsDeps, targetKeyId: string) {
  if (targetKeyId.startsWith('alias/') || targetKeyId.includes(':alias/'))
    throw new NotFoundException(`Invalid keyId '${targetKeyId}'`);
  const key = await deps.keyRing.find(targetKeyId);
  if (key.state === 'PendingDeletion') throw KMSInvalidStateException.pendingDeletion(key.arn);
  return key;
}

export async function createAlias(deps: KmsDeps, input: CreateAliasRequest): Promise<void> {
  const name = ownAlias(input.AliasName);
  const key = await aliasTarget(deps, input.TargetKeyId);
  const now = deps.clock.now();
  if (
    !(await deps.keyRing.store.insertAlias({ aliasName: name, targetKeyId: key.keyId, createdAt: now, updatedAt: now }))
  )
    throw new AlreadyExistsException(`An alias with the name ${deps.keyRing.aliasArn(name)} already exists`);
}

export async function updateAlias(deps: KmsDeps, input: UpdateAliasRequest): Promise<void> {
  const name = ownAlias(input.AliasName);
  const existing = await deps.keyRing.store.getAlias(name);
  if (!existing) throw NotFoundException.alias(deps.keyRing.aliasArn(name));
  const key = await aliasTarget(deps, input.TargetKeyId);
  await deps.keyRing.store.updateAlias({ ...existing, targetKeyId: key.keyId, updatedAt: deps.clock.now() });
}

export async function deleteAlias(deps: KmsDeps, input: DeleteAliasRequest): Promise<void> {
  const name = ownAlias(input.AliasName);
  if (!(await deps.keyRing.store.deleteAlias(name))) throw NotFoundException.alias(deps.keyRing.aliasArn(name));
}

/**
 * The account's aliases in name order; without KeyId, also the AWS managed keys' aliases that no
 * service has used yet (no TargetKeyId), as KMS lists them. The marker is the last name listed.
 */
export async function listAliases(deps: KmsDeps, input: ListAliasesRequest): Promise<ListAliasesResponse> {
  const keyId = input.KeyId === undefined ? undefined : (await deps.keyRing.find(input.KeyId)).keyId;
  const stored = await deps.keyRing.store.listAliases(keyId);
  const entries: AliasListEntry[] = stored.map((alias) => ({
    AliasName: alias.aliasName,
    AliasArn: deps.keyRing.aliasArn(alias.aliasName),
    TargetKeyId: alias.targetKeyId,
    CreationDate: alias.createdAt,
    LastUpdatedDate: alias.updatedAt,
  }));
  if (keyId === undefined) {
    for (const managed of Object.keys(AWS_MANAGED_KEYS)) {
      const name = `alias/${managed}`;
      if (!stored.some((alias) => alias.aliasName === name))
        entries.push({ AliasName: name, AliasArn: deps.keyRing.aliasArn(name) });
    }
    entries.sort((a, b) => (a.AliasName! < b.AliasName! ? -1 : 1));
  }
  if (input.Marker !== undefined && !entries.some((entry) => entry.AliasName === input.Marker))
    throw new InvalidMarkerException('Invalid marker');
  const start = input.Marker === undefined ? 0 : entries.findIndex((entry) => entry.AliasName === input.Marker) + 1;
  const limit = input.Limit ?? 100;
  const page = entries.slice(start, start + limit);
  const truncated = start + limit < entries.length;
  return { Aliases: page, Truncated: truncated, ...(truncated ? { NextMarker: page.at(-1)!.AliasName! } : {}) };
}
