import { AccessDeniedException } from '../shared/access-denied.ts';
import type { AccessControl, AccessRequest } from '../shared/authorization.ts';
import type { Principal } from '../shared/principal.ts';

/**
 * What STS needs of an IAM role (the IAM directory's roleByArn gives it): its ids, how long its
 * sessions may last, and its trust policy, compiled by the policy evaluator (`P`).
 */
export interface AssumableRole<P = unknown> {
  readonly arn: string;
  readonly name: string;
  /** AROA…: the first half of a session's aws:userid. */
  readonly roleId: string;
  /** Seconds, 3600 to 43200 (IAM's MaxSessionDuration, 3600 by default). */
  readonly maxSessionDuration: number;
  readonly trustPolicy: P;
}

/** The narrow view of the IAM directory STS works with (a fake in tests). */
export interface RoleLookup<P = unknown> {
  roleByArn(arn: string): AssumableRole<P> | undefined;
}

/** The actions a role's trust policy decides on, besides its identity policies. */
export const TRUST_ACTIONS: ReadonlySet<string> = new Set([
  'sts:AssumeRole',
  'sts:TagSession',
  'sts:SetSourceIdentity',
]);

/** The resource-based policies of a request's resource: a role's trust policy for the trust actions. */
export type TrustPolicySource<P> = (resource: string, action: string) => readonly P[] | undefined;

/**
 * A resource-policy source for the access control: for sts:AssumeRole, sts:TagSession and
 * sts:SetSourceIdentity on a role's ARN, that role's trust policy; undefined for anything else
 * (and for a role that does not exist).
 */
export function trustPolicies<P>(roles: RoleLookup<P>): TrustPolicySource<P> {
  return (resource, action) => {
    if (!TRUST_ACTIONS.has(action)) return undefined;
    const role = roles.roleByArn(resource);
    return role === undefined ? undefined : [role.trustPolicy];
  };
}

/** The policy evaluator's decision on a request to a role, with the trust policy as its resource policy. */
export type TrustDecision<P> = (
  principal: Principal,
  request: AccessRequest,
  trust: readonly P[],
) => { readonly allowed: true } | { readonly allowed: false; readonly message: string };

/**
 * Until the access control evaluates resource policies of every kind itself: an access control
 * that decides the trust actions on an existing role with `decide` (the evaluator, the role's
 * trust policy as the resource policy and the caller's identity policies), and passes everything
 * else, the root's calls included (STS refuses those itself), to `inner`.
 */
export function withTrustPolicies<P>(
  inner: AccessControl,
  trust: TrustPolicySource<P>,
  decide: TrustDecision<P>,
): AccessControl {
  return {
    async authorize(context, requests) {
      const { principal } = context;
      if (principal.root) return inner.authorize(context, requests);
      const rest: AccessRequest[] = [];
      for (const request of requests) {
        const policies = request.everyCaller ? undefined : trust(request.resource, request.action);
        if (policies === undefined) {
          rest.push(request);
          continue;
        }
        const decision = decide(principal, request, policies);
        if (!decision.allowed) throw new AccessDeniedException(decision.message);
      }
      if (rest.length > 0 || requests.length === 0) await inner.authorize(context, rest);
    },
  };
}
