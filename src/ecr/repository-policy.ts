import { MalformedPolicyDocumentError, parsePolicy, type Policy } from '../iam/index.ts';

/**
 * ECR repository and registry policies: resource-based policies in IAM's grammar, parsed and
 * evaluated by the one IAM policy evaluator (iam/policy) like every other policy, with what ECR
 * adds on top: every action is an ECR action; a repository policy's statements are about its
 * repository (a Resource element is optional there); a registry policy covers the whole registry,
 * so each statement names the ECR ARNs it covers.
 */

export class PolicyGrammarError extends Error {}

const ECR_ACTION = /^(\*|ecr:[A-Za-z*?]+)$/i;
const ECR_RESOURCE = /^(\*|arn:aws:ecr:[^:]*:[^:]*:[^:]+)$/;

/** A repository's policy, its statements about `repositoryArn` unless they name their resources. */
export function parseRepositoryPolicy(text: string, repositoryArn: string): Policy {
  return compile(text, 'repository', repositoryArn);
}

/** The registry policy: every statement names the ECR ARNs it covers. */
export function parseRegistryPolicy(text: string): Policy {
  return compile(text, 'registry', undefined);
}

function compile(text: string, kind: 'repository' | 'registry', repositoryArn: string | undefined): Policy {
  let policy: Policy;
  try {
    policy = parsePolicy(text, 'resource', repositoryArn === undefined ? {} : { impliedResource: repositoryArn });
  } catch (error) {
    if (error instanceof MalformedPolicyDocumentError) throw new PolicyGrammarError(error.message);
    throw error;
  }
  checkEcrElements(JSON.parse(text) as { Statement?: unknown }, kind);
  return policy;
}

/** What ECR refuses that IAM's grammar allows: other services' actions, non-ECR resources. */
function checkEcrElements(document: { Statement?: unknown }, kind: 'repository' | 'registry'): void {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  statements.forEach((value, i) => {
    const statement = value as Record<string, unknown>;
    for (const action of list(statement.Action ?? statement.NotAction)) {
      if (!ECR_ACTION.test(action))
        throw new PolicyGrammarError(`Statement[${i}]: '${action}' is not an ECR action (ecr:Name, wildcards * and ?)`);
    }
    if (kind !== 'registry') return;
    if (statement.NotResource !== undefined)
      throw new PolicyGrammarError(`Statement[${i}]: a registry policy names its resources with Resource`);
    const resources = list(statement.Resource);
    if (resources.length === 0)
      throw new PolicyGrammarError(`Statement[${i}].Resource is required in a registry policy`);
    for (const resource of resources) {
      if (!ECR_RESOURCE.test(resource))
        throw new PolicyGrammarError(
          `Statement[${i}]: '${resource}' is not an ECR resource ARN (arn:aws:ecr:REGION:ACCOUNT:...)`,
        );
    }
  });
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
