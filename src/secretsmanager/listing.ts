import { AwsError } from '../shared/aws-error.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { SecretRecord } from '../store/index.ts';
import { bodyOf, findSecret, type SecretsManagerDeps } from './deps.ts';
import { InvalidNextTokenException, InvalidParameterException } from './errors.ts';
import { describe } from './secrets.ts';
import type {
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  Filter,
  ListSecretsRequest,
  ListSecretsResponse,
  SecretListEntry,
} from './shapes.generated.ts';
import { readValue } from './values.ts';

/*
 * ListSecrets' filters, as Secrets Manager applies them: each value matches a prefix of the key's
 * field (name, description, a tag key or value; `all` any of them), case-sensitively, and a value
 * starting with `!` negates; values of one key are ORed, keys ANDed. NextToken is an offset.
 */

function fieldsOf(secret: SecretRecord, key: string): string[] {
  const body = bodyOf(secret);
  const tags = body.tags ?? [];
  switch (key) {
    case 'name':
      return [secret.name];
    case 'description':
      return body.description === undefined ? [] : [body.description];
    case 'tag-key':
      return tags.map((tag) => tag.Key);
    case 'tag-value':
      return tags.map((tag) => tag.Value);
    case 'all':
      return [
        secret.name,
        ...(body.description === undefined ? [] : [body.description]),
        ...tags.flatMap((t) => [t.Key, t.Value]),
      ];
    default:
      return [];
  }
}

function matches(secret: SecretRecord, filters: readonly Filter[]): boolean {
  return filters.every((filter) => {
    const fields = fieldsOf(secret, filter.Key ?? '');
    return (filter.Values ?? []).some((value) =>
      value.startsWith('!')
        ? !fields.some((f) => f.startsWith(value.slice(1)))
        : fields.some((f) => f.startsWith(value)),
    );
  });
}

function offset(token: string | undefined, size: number): number {
  if (token === undefined) return 0;
  const start = Number(token);
  if (!Number.isInteger(start) || start < 0 || start > size)
    throw new InvalidNextTokenException('The NextToken value is invalid.');
  return start;
}

export async function listSecrets(deps: SecretsManagerDeps, input: ListSecretsRequest): Promise<ListSecretsResponse> {
  const now = deps.clock.now().getTime();
  let secrets = (await deps.secrets.list()).filter((secret) => {
    const deleted = bodyOf(secret).deletedDate;
    if (deleted !== undefined && deleted <= now) return false;
    return input.IncludePlannedDeletion || deleted === undefined;
  });
  secrets = secrets.filter((secret) => matches(secret, input.Filters ?? []));
  const sortBy = input.SortBy ?? 'created-date';
  const sortKey = (secret: SecretRecord): string | number =>
    sortBy === 'name'
      ? secret.name
      : sortBy === 'last-accessed-date'
        ? (bodyOf(secret).lastAccessedDate ?? 0)
        : sortBy === 'last-changed-date'
          ? (bodyOf(secret).lastChangedDate ?? 0)
          : secret.createdAt.getTime();
  secrets.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  if ((input.SortOrder ?? 'desc') === 'desc') secrets.reverse();
  const start = offset(input.NextToken, secrets.length);
  const limit = input.MaxResults ?? 100;
  const page = secrets.slice(start, start + limit);
  const entries: SecretListEntry[] = [];
  for (const secret of page) {
    const { VersionIdsToStages, ...described } = await describe(deps, secret);
    entries.push({ ...described, SecretVersionsToStages: VersionIdsToStages });
  }
  return { SecretList: entries, ...(start + limit < secrets.length ? { NextToken: String(start + limit) } : {}) };
}

/**
 * The AWSCURRENT values of a list of secrets, or of the secrets the filters select; each needs
 * secretsmanager:GetSecretValue (and the key's kms:Decrypt) as GetSecretValue does. A secret that
 * fails is in Errors, with its error's code.
 */
export async function batchGetSecretValue(
  deps: SecretsManagerDeps,
  input: BatchGetSecretValueRequest,
  context: RequestContext,
): Promise<BatchGetSecretValueResponse> {
  if ((input.SecretIdList === undefined) === (input.Filters === undefined))
    throw new InvalidParameterException('Either SecretIdList or Filters must be provided, not both.');
  let ids: string[];
  let nextToken: string | undefined;
  if (input.SecretIdList) {
    ids = input.SecretIdList;
  } else {
    const listed = await listSecrets(deps, {
      Filters: input.Filters!,
      ...(input.MaxResults === undefined ? {} : { MaxResults: input.MaxResults }),
      ...(input.NextToken === undefined ? {} : { NextToken: input.NextToken }),
    });
    ids = (listed.SecretList ?? []).map((entry) => entry.ARN!);
    nextToken = listed.NextToken;
  }
  const response: Required<Pick<BatchGetSecretValueResponse, 'SecretValues' | 'Errors'>> = {
    SecretValues: [],
    Errors: [],
  };
  for (const id of ids) {
    try {
      const secret = await findSecret(deps, id);
      await deps.authorize(context, [{ action: 'secretsmanager:GetSecretValue', resource: secret.arn }]);
      response.SecretValues.push(await readValue(deps, secret, {}, context));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      response.Errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
    }
  }
  return { ...response, ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
}
