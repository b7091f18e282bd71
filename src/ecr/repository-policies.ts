import type { Principal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore, RepositoryRecord } from '../store/index.ts';
import { InvalidParameterException, RepositoryPolicyNotFoundException } from './errors.ts';
import {
  evaluatePolicy,
  parseRepositoryPolicy,
  PolicyGrammarError,
  type PolicyDecision,
  type RepositoryPolicy,
} from './repository-policy.ts';
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

/** The repository's parsed policy, if it has one (parsed once per text). */
const parsed = new Map<string, RepositoryPolicy>();
export function repositoryPolicyOf(record: RepositoryRecord): RepositoryPolicy | undefined {
  const text = (record.details as PolicyDetails).policyText;
  if (text === undefined) return undefined;
  let policy = parsed.get(text);
  if (!policy) {
    if (parsed.size > 1000) parsed.clear();
    policy = parseRepositoryPolicy(text);
    parsed.set(text, policy);
  }
  return policy;
}

/**
 * What repository policies say about a request (the access control's resource-policy source for
 * ECR): the decision of the policy of the repository the ARN names, 'no-match' for any other ARN
 * or a repository without a policy.
 */
export function repositoryPolicyDecisions(store: MetadataStore, scope: { region: string; accountId: string }) {
  const prefix = `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/`;
  return async (resource: string, principal: Principal, action: string): Promise<PolicyDecision> => {
    if (!resource.startsWith(prefix) || !action.startsWith('ecr:')) return 'no-match';
    const name = resource.slice(prefix.length);
    if (name === '' || name.includes('*')) return 'no-match';
    const record = await store.repositories.get(name);
    return record ? evaluatePolicy(repositoryPolicyOf(record), principal.arn, action) : 'no-match';
  };
}

function validate(text: string): void {
  try {
    parseRepositoryPolicy(text);
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
  validate(input.policyText);
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
