import type { RequestContext } from '../shared/request-context.ts';
import { WRITE_ATTEMPTS, type SsmDeps } from './deps.ts';
import { InvalidNextToken, ParameterNotFound, TooManyUpdates } from './errors.ts';
import { planLabels, planUnlabel } from './labels.ts';
import { nameOf } from './names.ts';
import { decodeToken, encodeToken } from './page-tokens.ts';
import { valueOf } from './read-parameters.ts';
import type {
  DeleteParameterRequest,
  DeleteParameterResult,
  DeleteParametersRequest,
  DeleteParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  LabelParameterVersionRequest,
  LabelParameterVersionResult,
  ParameterHistory,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResult,
} from './shapes.generated.ts';

/* A parameter's versions: history, labels, and deleting the parameter with all of them. */

export async function deleteParameter(
  deps: SsmDeps,
  input: DeleteParameterRequest,
  context: RequestContext,
): Promise<DeleteParameterResult> {
  const { deleted } = await deleteNamed(deps, [input.Name], context);
  if (deleted.length === 0) throw ParameterNotFound.named(input.Name);
  return {};
}

export async function deleteParameters(
  deps: SsmDeps,
  input: DeleteParametersRequest,
  context: RequestContext,
): Promise<DeleteParametersResult> {
  const { deleted, invalid } = await deleteNamed(deps, [...new Set(input.Names)], context);
  return { DeletedParameters: deleted, InvalidParameters: invalid };
}

/** Deletes the parameters that exist, in one transaction. */
async function deleteNamed(
  deps: SsmDeps,
  references: readonly string[],
  context: RequestContext,
): Promise<{ deleted: string[]; invalid: string[] }> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const found = await deps.store.ssm.getMany(references.map((reference) => nameOf(reference, context)));
    const byName = new Map(found.map((record) => [record.name, record]));
    const deleted = references.filter((reference) => byName.has(nameOf(reference, context)));
    const invalid = references.filter((reference) => !byName.has(nameOf(reference, context)));
    const writes = found.map((record) => ({ name: record.name, expectRevision: record.revision }));
    if (writes.length === 0 || (await deps.store.ssm.write(writes))) return { deleted, invalid };
  }
  throw new TooManyUpdates();
}

export async function getParameterHistory(
  deps: SsmDeps,
  input: GetParameterHistoryRequest,
  context: RequestContext,
): Promise<GetParameterHistoryResult> {
  const name = nameOf(input.Name, context);
  const versions = await deps.store.ssm.history(name);
  if (versions.length === 0) throw ParameterNotFound.named(input.Name);
  const limit = input.MaxResults ?? 50;
  const token = decodeToken(input.NextToken);
  if (token !== undefined && typeof token.after !== 'number') throw new InvalidNextToken();
  const after = (token?.after as number | undefined) ?? 0;
  const rest = versions.filter((version) => version.version > after);
  const page = rest.slice(0, limit);
  const parameters: ParameterHistory[] = [];
  for (const version of page) {
    const { details } = version;
    parameters.push({
      Name: name,
      Type: details.type,
      ...(details.keyId === undefined ? {} : { KeyId: details.keyId }),
      LastModifiedDate: version.modifiedAt,
      LastModifiedUser: details.lastModifiedUser,
      ...(details.description === undefined ? {} : { Description: details.description }),
      Value: await valueOf(deps, name, version, input.WithDecryption === true, context),
      ...(details.allowedPattern === undefined ? {} : { AllowedPattern: details.allowedPattern }),
      Version: version.version,
      Labels: [...version.labels],
      Tier: details.tier,
      Policies: [],
      DataType: details.dataType,
    });
  }
  return {
    Parameters: parameters,
    ...(rest.length > limit ? { NextToken: encodeToken({ after: page.at(-1)!.version }) } : {}),
  };
}

export async function labelParameterVersion(
  deps: SsmDeps,
  input: LabelParameterVersionRequest,
  context: RequestContext,
): Promise<LabelParameterVersionResult> {
  const name = nameOf(input.Name, context);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const record = await deps.store.ssm.get(name);
    if (!record) throw ParameterNotFound.named(input.Name);
    const plan = planLabels(name, await deps.store.ssm.history(name), input.Labels, input.ParameterVersion);
    const next = { version: record.current.version, tags: record.tags };
    const write = { name, expectRevision: record.revision, next, putVersions: plan.changed };
    if (plan.changed.length === 0 || (await deps.store.ssm.write([write]))) {
      return { InvalidLabels: plan.invalid, ParameterVersion: plan.version };
    }
  }
  throw new TooManyUpdates();
}

export async function unlabelParameterVersion(
  deps: SsmDeps,
  input: UnlabelParameterVersionRequest,
  context: RequestContext,
): Promise<UnlabelParameterVersionResult> {
  const name = nameOf(input.Name, context);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const record = await deps.store.ssm.get(name);
    if (!record) throw ParameterNotFound.named(input.Name);
    const plan = planUnlabel(name, await deps.store.ssm.history(name), input.Labels, input.ParameterVersion);
    const next = { version: record.current.version, tags: record.tags };
    const write = { name, expectRevision: record.revision, next, putVersions: plan.changed };
    if (plan.changed.length === 0 || (await deps.store.ssm.write([write]))) {
      return { RemovedLabels: plan.removed, InvalidLabels: plan.invalid };
    }
  }
  throw new TooManyUpdates();
}
