import { AccessDeniedException } from '../shared/access-denied.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { MetadataStore } from '../store/index.ts';
import { requireAuthorized } from './repository-policies.ts';
import { repositoryNameOfArn } from './repositories.ts';

/**
 * Account-level calls a user (not the root) may make. Berth has no identity policies yet, so a
 * user may only fetch a registry password; everything else a user does is decided per repository
 * by the repository's policy. TODO(roadmap: IAM) identity policies.
 */
const OPEN_TO_USERS = new Set(['GetAuthorizationToken']);

/** Repositories an API call acts on, by the names its input carries. */
function repositoriesOf(input: Record<string, unknown>, context: RequestContext): string[] | undefined {
  if (typeof input.repositoryName === 'string') return [input.repositoryName];
  if (typeof input.resourceArn === 'string') return [repositoryNameOfArn(input.resourceArn, context)];
  if (Array.isArray(input.repositoryNames)) return input.repositoryNames as string[];
  return undefined;
}

/** Checks that the caller may make this ECR call; throws AccessDeniedException if not. */
export async function authorizeCall(
  store: MetadataStore,
  operation: string,
  input: Record<string, unknown>,
  context: RequestContext,
): Promise<void> {
  const action = `ecr:${operation}`;
  const repositories = repositoriesOf(input, context);
  if (repositories === undefined || operation === 'CreateRepository') {
    if (context.principal.root || OPEN_TO_USERS.has(operation)) return;
    throw AccessDeniedException.because(
      context.principal.arn,
      action,
      `arn:aws:ecr:${context.region}:${context.accountId}:repository/*`,
      `no identity-based policy allows the ${action} action`,
    );
  }
  for (const record of await store.repositories.getByNames(repositories))
    requireAuthorized(record, context.principal, action);
}
