import {
  denialReason,
  evaluate,
  parsePolicy,
  requestContext,
  type Policy,
  type PolicySet,
} from '../iam/policy/index.ts';
import { AccessDeniedException } from '../shared/access-denied.ts';
import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import type { Clock } from '../shared/clock.ts';
import type { Principal } from '../shared/principal.ts';
import type { RequestContext } from '../shared/request-context.ts';
import { resourceTagKeys, type ResourceTagLookup } from './resource-tags.ts';

/** Where a principal's identity-based policies come from (the IAM directory). */
export interface IdentityPolicies {
  /** A user's inline, attached and groups' policies, a role session's role's; with its boundary. */
  identityPoliciesOf(principal: Principal): {
    readonly identity: readonly Policy[];
    readonly boundary?: readonly Policy[];
  };
  /** aws:PrincipalTag/*: the user's or the role's tags (a session's own tags win). */
  principalTagsOf(principal: Principal): Readonly<Record<string, string>> | undefined;
}

/**
 * The resource-based policies that apply to one resource for one action: an ECR repository's own
 * policy and the registry policy, a role's trust policy for sts:AssumeRole, ... Undefined or empty
 * when the source has none for it.
 */
export type ResourcePolicySource = (
  resource: string,
  action: string,
  principal: Principal,
) => Promise<readonly Policy[] | undefined> | readonly Policy[] | undefined;

export interface PolicyAccessControlOptions {
  readonly identities: IdentityPolicies;
  readonly resourcePolicies?: readonly ResourcePolicySource[];
  readonly resourceTags?: ResourceTagLookup;
  readonly clock: Clock;
}

type Caller = Pick<RequestContext, 'principal' | 'sourceIp' | 'secureTransport'>;

/** Whether a policy's conditions read a resource's tags, remembered per compiled policy. */
const readsResourceTags = new WeakMap<Policy, boolean>();
function needsResourceTags(policy: Policy): boolean {
  let answer = readsResourceTags.get(policy);
  if (answer === undefined) {
    answer = [...policy.conditionKeys].some((key) => key.includes(':resourcetag/'));
    readsResourceTags.set(policy, answer);
  }
  return answer;
}

/**
 * The one policy decision point every service, the registry and Berth's own routes go through.
 * For each request it gathers the principal's identity-based policies, its permissions boundary
 * and session policy, the resource's resource-based policies and the condition keys (the global
 * ones, the service's, and the resource's tags when a policy reads them), and asks the evaluator
 * (iam/policy), which applies AWS's evaluation logic. A denial reads as AWS writes it.
 */
export class PolicyAccessControl implements AccessControl {
  readonly #options: PolicyAccessControlOptions;

  constructor(options: PolicyAccessControlOptions) {
    this.#options = options;
  }

  async authorize(caller: Caller, requests: readonly AccessRequest[]): Promise<void> {
    const denial = await this.decide(caller, requests);
    if (denial !== undefined) throw denial;
  }

  /** Undefined when every request is allowed, else the first denial (not thrown). */
  async decide(caller: Caller, requests: readonly AccessRequest[]): Promise<AccessDeniedException | undefined> {
    const { principal } = caller;
    if (requests.length === 0) {
      return new AccessDeniedException(`User: ${principal.arn} is not authorized: the call asked for no permission`);
    }
    const { identities, clock } = this.#options;
    const own = principal.root ? { identity: [] } : identities.identityPoliciesOf(principal);
    const session = sessionPolicies(principal);
    const base = requestContext(principal, {
      now: clock.now(),
      ...(caller.sourceIp === undefined ? {} : { sourceIp: caller.sourceIp }),
      ...(caller.secureTransport === undefined ? {} : { secureTransport: caller.secureTransport }),
      ...(principal.root ? {} : { principalTags: identities.principalTagsOf(principal) ?? {} }),
    });
    for (const request of requests) {
      if (request.everyCaller) continue;
      const resource = await this.#resourcePolicies(request, principal);
      const policies: PolicySet = {
        identity: own.identity,
        ...(resource.length > 0 ? { resource } : {}),
        ...(own.boundary ? { boundary: own.boundary } : {}),
        ...(session ? { session } : {}),
      };
      const context = await this.#context(base, request, policies);
      const decision = evaluate({ action: request.action, resource: request.resource, principal, context }, policies);
      if (!decision.allowed) {
        const { action, resource: arn } = request;
        return AccessDeniedException.denied({
          principalArn: principal.arn,
          action,
          resource: arn,
          reason: denialReason(action, decision),
        });
      }
    }
    return undefined;
  }

  async #resourcePolicies(request: AccessRequest, principal: Principal): Promise<readonly Policy[]> {
    const found: Policy[] = [];
    for (const source of this.#options.resourcePolicies ?? []) {
      const policies = await source(request.resource, request.action, principal);
      if (policies) found.push(...policies);
    }
    return found;
  }

  async #context(
    base: Readonly<Record<string, string | readonly string[]>>,
    request: AccessRequest,
    policies: PolicySet,
  ): Promise<Readonly<Record<string, string | readonly string[]>>> {
    const lookup = this.#options.resourceTags;
    const readsTags = [policies.identity, policies.resource, policies.boundary, policies.session].some((list) =>
      list?.some(needsResourceTags),
    );
    const tags = lookup && request.resource !== '*' && readsTags ? await lookup(request.resource) : undefined;
    if (!request.conditions && !tags) return base;
    return { ...base, ...(tags ? resourceTagKeys(tags, request.resource) : {}), ...request.conditions };
  }
}

/** A role session's inline session policy, compiled once per text (parsePolicy's cache). */
function sessionPolicies(principal: Principal): readonly Policy[] | undefined {
  const text = principal.session?.policy;
  return text === undefined ? undefined : [parsePolicy(text, 'identity')];
}
