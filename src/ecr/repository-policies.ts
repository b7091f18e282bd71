import type { Policy } from '../iam/index.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, RepositoryRecord } from '../store/index.ts';
import { InvalidParameterException, RepositoryPolicyNotFoundException } from './errors.ts';
import { parseRepositoryPolicy, PolicyGrammarError } from './repository-policy.ts';
import { requireRepositoryRecord } from './repositories.ts';
import type {
  DeleteRepositoryPolicyRequest,
  DeleteRepositoryPolicyResponse,
  GetRepositoryPolicyRequest,
  GetRepositoryPolicyResponse,
  SetRepositoryPolicyRequest,
  SetRepositoryPolicyResponse,
} from './shapes.generated.ts';

interface PolicyDetails {
  policyText?: string;
}

/** The repository's compiled policy, if it has one (the evaluator compiles each text once). */
export function repositoryPolicyOf(record: RepositoryRecord, repositoryArn: string): Policy | undefined {
  const text = (record.details as PolicyDetails).policyText;
  return text === undefined ? undefined : parseRepositoryPolicy(text, repositoryArn);
}

/**
 * The access control's resource-policy source for ECR repositories: the policy of the repository
 * an ECR action's resource names, none for any other ARN or a repository without a policy.
 */
export function repositoryPolicies(store: MetadataStore, scope: { region: string; accountId: string }) {
  const prefix = `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/`;
  return async (resource: string, action: string): Promise<readonly Policy[] | undefined> => {
    if (!resource.startsWith(prefix) || !action.toLowerCase().startsWith('ecr:')) return undefined;
    const name = resource.slice(prefix.length);
    if (name === '' || name.includes('*')) return undefined;
    const record = await store.repositories.get(name);
    const policy = record ? repositoryPolicyOf(record, resource) : undefined;
    return policy ? [policy] : undefined;
  };
}

function validate(text: string, repositoryArn: string): void {
  try {
    parseRepositoryPolicy(text, repositoryArn);
  } catch (error) {
    if (!(error instanceof PolicyGrammarError)) throw error;
    throw new InvalidParameterException(
      `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided: ${error.message}'`,
    );
  }
}

export async function setRepositoryPolicy(
  deps: { store: MetadataStore },
  input: SetRepositoryPolicyRequest,
  context: RequestContext,
): Promise<SetRepositoryPolicyResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  validate(input.policyText, formatArn('ecr', context, `repository/${record.name}`));
  await deps.store.repositories.update(record.name, { ...record.details, policyText: input.policyText });
  return { registryId: context.accountId, repositoryName: record.name, policyText: input.policyText };
}

export async function getRepositoryPolicy(
  deps: { store: MetadataStore },
  input: GetRepositoryPolicyRequest,
  context: RequestContext,
): Promise<GetRepositoryPolicyResponse> {
  const record = await requireRepositoryRecord(deps, input.repositoryName, context);
  const text = (record.details as PolicyDetails).policyText;
  if (text === undefined) {
    throw new RepositoryPolicyNotFoundException(
      `Repository policy does not exist for the repository with name '${record.name}' in the registry with id '${context.accountId}'`,
    );
  }
  return { registryId: context.accountId, repositoryName: record.name, policyText: text };
}

export async function deleteRepositoryPolicy(
  deps: { store: MetadataStore },
  input: DeleteRepositoryPolicyRequest,
  context: RequestContext,
): Promise<DeleteRepositoryPolicyResponse> {
  const out = await getRepositoryPolicy(deps, input, context);
  const record = (await deps.store.repositories.get(input.repositoryName))!;
  const { policyText: _removed, ...rest } = record.details as PolicyDetails & Record<string, unknown>;
  void _removed;
  await deps.store.repositories.update(record.name, rest);
  return out;
}
