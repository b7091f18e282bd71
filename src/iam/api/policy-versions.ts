import { DeleteConflictException, LimitExceededException, NoSuchEntityException } from '../errors.ts';
import { encodeDocument } from '../model/documents.ts';
import type { ManagedPolicy, PolicyVersion } from '../model/entities.ts';
import type * as Api from '../shapes.generated.ts';
import { paginate, requirePolicy, type IamDeps } from './common.ts';
import { checkManagedDocument, requireOwnPolicy } from './policies.ts';

/** IAM's quota: a managed policy keeps at most five versions. */
const MAX_VERSIONS = 5;

function versionOut(policy: ManagedPolicy, version: PolicyVersion, withDocument: boolean): Api.PolicyVersion {
  return {
    ...(withDocument ? { Document: encodeDocument(version.document) } : {}),
    VersionId: version.versionId,
    IsDefaultVersion: version.versionId === policy.defaultVersionId,
    CreateDate: version.createdAt,
  };
}

function requireVersion(policy: ManagedPolicy, versionId: string): PolicyVersion {
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (!version)
    throw new NoSuchEntityException(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
  return version;
}

export async function createPolicyVersion(
  { directory }: IamDeps,
  input: Api.CreatePolicyVersionRequest,
): Promise<Api.CreatePolicyVersionResponse> {
  requireOwnPolicy(directory, input.PolicyArn, 'create versions of');
  const document = checkManagedDocument(directory, input.PolicyDocument);
  return directory.update(() => {
    const policy = requireOwnPolicy(directory, input.PolicyArn, 'create versions of');
    if (policy.versions.length >= MAX_VERSIONS)
      throw LimitExceededException.quota('PolicyVersionsPerPolicy', MAX_VERSIONS);
    const now = directory.now();
    const version: PolicyVersion = { versionId: `v${policy.nextVersion}`, document, createdAt: now };
    const updated: ManagedPolicy = {
      ...policy,
      versions: [...policy.versions, version],
      nextVersion: policy.nextVersion + 1,
      ...(input.SetAsDefault ? { defaultVersionId: version.versionId, updatedAt: now } : {}),
    };
    return { changes: { put: [updated] }, result: { PolicyVersion: versionOut(updated, version, false) } };
  });
}

export async function getPolicyVersion(
  { directory }: IamDeps,
  input: Api.GetPolicyVersionRequest,
): Promise<Api.GetPolicyVersionResponse> {
  const policy = requirePolicy(directory, input.PolicyArn);
  return { PolicyVersion: versionOut(policy, requireVersion(policy, input.VersionId), true) };
}

export async function listPolicyVersions(
  { directory }: IamDeps,
  input: Api.ListPolicyVersionsRequest,
): Promise<Api.ListPolicyVersionsResponse> {
  const policy = requirePolicy(directory, input.PolicyArn);
  // Newest first, as IAM lists them; the marker is the version number, zero-padded to sort.
  const versions = [...policy.versions].reverse();
  const keyOf = (v: PolicyVersion): string => String(1e9 - Number(v.versionId.slice(1))).padStart(10, '0');
  const { page, ...more } = paginate(versions, keyOf, input);
  return { Versions: page.map((v) => versionOut(policy, v, false)), ...more };
}

export async function deletePolicyVersion(
  { directory }: IamDeps,
  input: Api.DeletePolicyVersionRequest,
): Promise<void> {
  await directory.update(() => {
    const policy = requireOwnPolicy(directory, input.PolicyArn, 'delete versions of');
    const version = requireVersion(policy, input.VersionId);
    if (version.versionId === policy.defaultVersionId)
      throw new DeleteConflictException('Cannot delete the default version of a policy.');
    const updated = { ...policy, versions: policy.versions.filter((v) => v !== version) };
    return { changes: { put: [updated] }, result: undefined };
  });
}

export async function setDefaultPolicyVersion(
  { directory }: IamDeps,
  input: Api.SetDefaultPolicyVersionRequest,
): Promise<void> {
  await directory.update(() => {
    const policy = requireOwnPolicy(directory, input.PolicyArn, 'change');
    const version = requireVersion(policy, input.VersionId);
    const updated = { ...policy, defaultVersionId: version.versionId, updatedAt: directory.now() };
    return { changes: { put: [updated] }, result: undefined };
  });
}
