import type { RequestContext } from '../shared/request-context.ts';
import type { SsmParameterRecord, SsmParameterVersionRecord } from '../store/index.ts';
import type { SsmDeps } from './deps.ts';
import { InvalidNextToken } from './errors.ts';
import {
  compileByPathFilters,
  compileDescribeFilters,
  isUnderPath,
  prefixOfPath,
  type CompiledFilters,
} from './filters.ts';
import { normalizePath, parameterArn } from './names.ts';
import { decodeToken, encodeToken } from './page-tokens.ts';
import { valueOf } from './read-parameters.ts';
import type {
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  Parameter,
  ParameterMetadata,
} from './shapes.generated.ts';

/** How many parameters one store read brings while a filtered page fills. */
const SCAN_BATCH = 200;

export async function describeParameters(
  deps: SsmDeps,
  input: DescribeParametersRequest,
  context: RequestContext,
): Promise<DescribeParametersResult> {
  const filters = compileDescribeFilters(input.Filters, input.ParameterFilters);
  const { page, nextToken } = await scan(
    deps,
    filters.prefix,
    input.NextToken,
    input.MaxResults ?? 50,
    filters.matches,
  );
  return {
    Parameters: page.map((record) => metadataOf(record, context)),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}

export async function getParametersByPath(
  deps: SsmDeps,
  input: GetParametersByPathRequest,
  context: RequestContext,
): Promise<GetParametersByPathResult> {
  const path = normalizePath(input.Path);
  const filters: CompiledFilters = compileByPathFilters(input.ParameterFilters);
  const recursive = input.Recursive === true;
  const labelled = new Map<string, SsmParameterVersionRecord>();
  const matches = async (record: SsmParameterRecord): Promise<boolean> => {
    if (!isUnderPath(record.name, path, recursive) || !filters.matches(record)) return false;
    if (!filters.labels) return true;
    // With a Label filter, the version carrying one of the labels is the one answered.
    const history = await deps.store.ssm.history(record.name);
    const version = history.find((v) => v.labels.some((label) => filters.labels!.includes(label)));
    if (version) labelled.set(record.name, version);
    return version !== undefined;
  };
  const { page, nextToken } = await scan(deps, prefixOfPath(path), input.NextToken, input.MaxResults ?? 10, matches);
  const parameters: Parameter[] = [];
  for (const record of page) {
    const version = labelled.get(record.name) ?? record.current;
    parameters.push({
      Name: record.name,
      Type: version.details.type,
      Value: await valueOf(deps, record.name, version, input.WithDecryption === true, context),
      Version: version.version,
      LastModifiedDate: version.modifiedAt,
      ARN: parameterArn(context, record.name),
      DataType: version.details.dataType,
    });
  }
  return { Parameters: parameters, ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
}

/** Parameters in name order from where the token says, `limit` of those that match, and where to go on. */
async function scan(
  deps: SsmDeps,
  prefix: string | undefined,
  token: string | undefined,
  limit: number,
  matches: (record: SsmParameterRecord) => boolean | Promise<boolean>,
): Promise<{ page: SsmParameterRecord[]; nextToken: string | undefined }> {
  const position = decodeToken(token);
  if (position !== undefined && typeof position.after !== 'string') throw new InvalidNextToken();
  let after = position?.after as string | undefined;
  const page: SsmParameterRecord[] = [];
  for (;;) {
    const batch = await deps.store.ssm.list({
      ...(prefix ? { prefix } : {}),
      ...(after === undefined ? {} : { after }),
      limit: SCAN_BATCH,
    });
    for (const record of batch) {
      if (!(await matches(record))) continue;
      if (page.length === limit) return { page, nextToken: encodeToken({ after: page.at(-1)!.name }) };
      page.push(record);
    }
    if (batch.length < SCAN_BATCH) return { page, nextToken: undefined };
    after = batch.at(-1)!.name;
  }
}

function metadataOf(record: SsmParameterRecord, context: RequestContext): ParameterMetadata {
  const { details } = record.current;
  return {
    Name: record.name,
    ARN: parameterArn(context, record.name),
    Type: details.type,
    ...(details.keyId === undefined ? {} : { KeyId: details.keyId }),
    LastModifiedDate: record.current.modifiedAt,
    LastModifiedUser: details.lastModifiedUser,
    ...(details.description === undefined ? {} : { Description: details.description }),
    ...(details.allowedPattern === undefined ? {} : { AllowedPattern: details.allowedPattern }),
    Version: record.current.version,
    Tier: details.tier,
    Policies: [],
    DataType: details.dataType,
  };
}
