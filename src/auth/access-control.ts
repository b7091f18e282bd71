import { AccessDeniedException } from '../shared/access-denied.ts';
import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import type { Principal } from '../shared/principal.ts';

/** What a resource-based policy (an ECR repository's, the ECR registry's, ...) says about one request. */
export type ResourcePolicyDecision = 'allow' | 'deny' | 'no-match';

/**
 * The resource-based policies of one service, looked up by the resource's ARN: a resource's own
 * policy (an ECR repository's), or one covering many resources, each statement naming the ARNs it
 * applies to (the ECR registry policy).
 */
export type ResourcePolicies = (
  resource: string,
  principal: Principal,
  action: string,
) => Promise<ResourcePolicyDecision> | ResourcePolicyDecision;

/**
 * The one policy decision point every service and the registry go through, following AWS's
 * evaluation logic for a principal of the resource's own account: an explicit Deny in a
 * resource-based policy wins; then the account root may do anything; any other principal needs an
 * Allow. Identity-based policies come with IAM (issue #17): until then a user's permissions are
 * exactly what resource policies grant, so a user without any is denied everything.
 */
export class PolicyAccessControl implements AccessControl {
  readonly #resourcePolicies: readonly ResourcePolicies[];

  constructor(resourcePolicies: readonly ResourcePolicies[] = []) {
    this.#resourcePolicies = resourcePolicies;
  }

  async authorize(context: { principal: Principal }, requests: readonly AccessRequest[]): Promise<void> {
    const { principal } = context;
    if (requests.length === 0) {
      throw new AccessDeniedException(`User: ${principal.arn} is not authorized: the call asked for no permission`);
    }
    for (const request of requests) {
      if (request.everyCaller) continue;
      const decision = await this.#resourceDecision(request, principal);
      if (decision === 'deny') {
        throw AccessDeniedException.explicitDeny(principal.arn, request.action, request.resource);
      }
      if (principal.root || decision === 'allow') continue;
      throw AccessDeniedException.because(
        principal.arn,
        request.action,
        request.resource,
        `no identity-based policy allows the ${request.action} action`,
      );
    }
  }

  async #resourceDecision(request: AccessRequest, principal: Principal): Promise<ResourcePolicyDecision> {
    let allowed = false;
    for (const policies of this.#resourcePolicies) {
      const decision = await policies(request.resource, principal, request.action);
      if (decision === 'deny') return 'deny';
      if (decision === 'allow') allowed = true;
    }
    return allowed ? 'allow' : 'no-match';
  }
}
