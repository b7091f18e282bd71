import type { Principal } from '../../shared/principal.ts';
import type { Policy } from './parse.ts';
import { isExcluded, principalMatch, type Caller } from './principals.ts';
import { RequestKeys, type ContextValues } from './request-keys.ts';
import type { Statement } from './statements.ts';

export interface EvaluationRequest {
  /** `ecs:RunTask`: matched case-insensitively against Action patterns. */
  readonly action: string;
  /** An ARN, or `*` for actions that take no resource: matched case-sensitively. */
  readonly resource: string;
  readonly principal: Principal;
  /** Condition keys and values (requestContext builds the global ones); names are case-insensitive. */
  readonly context: ContextValues;
  /**
   * Set when an AWS service asks (ecs-tasks.amazonaws.com assuming a task role): only resource-based
   * policies naming that service can allow it, and `principal` is used for nothing but messages.
   */
  readonly servicePrincipal?: string;
}

export interface PolicySet {
  /** The principal's identity-based policies (a user's inline, attached and groups'; a session's role's). */
  readonly identity: readonly Policy[];
  /** Resource-based policies of the resource, or the role's trust policy (kind 'trust'). */
  readonly resource?: readonly Policy[];
  /** Undefined: no permissions boundary. */
  readonly boundary?: readonly Policy[];
  /** Undefined: not a session with a session policy. */
  readonly session?: readonly Policy[];
}

export type DenyingPolicy =
  'identity-based policy' | 'resource-based policy' | 'permissions boundary' | 'session policy' | 'role trust policy';
export type MissingPolicy =
  'identity-based policy' | 'permissions boundary' | 'session policy' | 'resource-based policy' | 'role trust policy';

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly explicit: true; readonly source: DenyingPolicy }
  | { readonly allowed: false; readonly explicit: false; readonly missing: MissingPolicy };

interface Scan {
  deny: boolean;
  allow: boolean;
}

/** What resource-based policies say: see PrincipalMatch for what each kind of grant is worth. */
interface ResourceScan {
  deny: boolean;
  direct: boolean;
  role: boolean;
  account: boolean;
}

const ALLOWED: Decision = { allowed: true };

/**
 * AWS's evaluation for a request within one account (IAM User Guide, "Policy evaluation logic",
 * "Determining whether a request is allowed or denied within an account"):
 * 1. an explicit Deny in any applicable policy (identity-based, resource-based, boundary, session) wins;
 * 2. an Allow in a resource-based policy naming the user or the session itself (or "*") allows, "even
 *    if an implicit deny in an identity-based policy, permissions boundary, or session policy is present";
 * 3. otherwise an identity-based Allow, or a resource-based Allow naming the session's role ("limited by
 *    an implicit deny in a permissions boundary or session policy"), is needed; a resource-based Allow
 *    naming the account only delegates to the identity-based policies;
 * 4. a permissions boundary, then a session policy, when present, must allow too.
 * The account root has full access but for an explicit Deny in a resource-based policy (identity
 * policies cannot be attached to it). A role trust policy "must explicitly allow access for principals":
 * with one, step 3 needs its Allow too.
 */
export function evaluate(request: EvaluationRequest, policies: PolicySet): Decision {
  let keys: RequestKeys | undefined;
  const readKeys = (): RequestKeys => (keys ??= new RequestKeys(request.context));
  const caller: Caller = { principal: request.principal, service: request.servicePrincipal };
  const resourcePolicies = policies.resource ?? [];
  // A trust policy or a KMS key policy must allow the caller (or the account) explicitly.
  const trust = resourcePolicies.some((p) => p.kind === 'trust' || p.kind === 'key');
  const resourceSource = resourcePolicies.some((p) => p.kind === 'trust')
    ? 'role trust policy'
    : 'resource-based policy';
  const resource = scanResource(resourcePolicies, request, caller, readKeys, policies.boundary !== undefined);
  if (resource.deny) return { allowed: false, explicit: true, source: resourceSource };
  if (caller.service !== undefined || request.principal.root)
    return rootOrService(resource, trust, caller, resourceSource);
  const identity = scan(policies.identity, request, readKeys);
  const boundary = policies.boundary && scan(policies.boundary, request, readKeys);
  const session = policies.session && scan(policies.session, request, readKeys);
  if (identity.deny) return { allowed: false, explicit: true, source: 'identity-based policy' };
  if (boundary?.deny) return { allowed: false, explicit: true, source: 'permissions boundary' };
  if (session?.deny) return { allowed: false, explicit: true, source: 'session policy' };
  if (resource.direct) return ALLOWED;
  if (trust && !resource.role && !resource.account) return { allowed: false, explicit: false, missing: resourceSource };
  return limited(identity.allow || resource.role, boundary, session);
}

/** The root may do anything a resource-based policy does not deny; a service, what one allows it. */
function rootOrService(
  resource: ResourceScan,
  trust: boolean,
  caller: Caller,
  source: 'role trust policy' | 'resource-based policy',
): Decision {
  if (resource.direct || (!trust && caller.service === undefined)) return ALLOWED;
  return { allowed: false, explicit: false, missing: source };
}

/** Steps 3 and 4: an Allow that the permissions boundary and the session policy, if any, must allow too. */
function limited(granted: boolean, boundary: Scan | undefined, session: Scan | undefined): Decision {
  if (!granted) return { allowed: false, explicit: false, missing: 'identity-based policy' };
  if (boundary !== undefined && !boundary.allow)
    return { allowed: false, explicit: false, missing: 'permissions boundary' };
  if (session !== undefined && !session.allow) return { allowed: false, explicit: false, missing: 'session policy' };
  return ALLOWED;
}

/** Identity-based, boundary and session policies: which effects apply to the request. */
function scan(policies: readonly Policy[], request: EvaluationRequest, keys: () => RequestKeys): Scan {
  const result = { deny: false, allow: false };
  const service = serviceOf(request.action);
  for (const policy of policies) {
    for (const statement of statementsFor(policy, service)) {
      if (statement.effect === 'Allow' ? result.allow : result.deny) continue;
      if (!applies(statement, request, keys)) continue;
      if (statement.effect === 'Deny') return { deny: true, allow: result.allow };
      result.allow = true;
    }
  }
  return result;
}

/** The action's service prefix, lower-cased ("ecs" of "ecs:RunTask"). */
function serviceOf(action: string): string {
  const colon = action.indexOf(':');
  return (colon < 0 ? action : action.slice(0, colon)).toLowerCase();
}

/**
 * A policy's statements that can apply to an action of `service`, in policy order: those whose
 * Action patterns name that service (or a wildcard one), and every NotAction statement. A user's
 * policies mostly speak of other services, so evaluation looks at a handful of statements instead of
 * every one (a user holding 10 policies of 10 statements pays for the few about the action's service).
 * Remembered per compiled policy and service; a policy has a few services, so the cache stays small.
 */
const byService = new WeakMap<Policy, Map<string, readonly Statement[]>>();
function statementsFor(policy: Policy, service: string): readonly Statement[] {
  let perService = byService.get(policy);
  if (perService === undefined) byService.set(policy, (perService = new Map()));
  let statements = perService.get(service);
  if (statements === undefined) {
    statements = policy.statements.filter(
      (statement) =>
        statement.anyAction ||
        statement.notAction ||
        statement.actions.some((action) => mayNameService(action.source, service)),
    );
    if (perService.size < 64) perService.set(service, statements);
  }
  return statements;
}

/** Whether an Action pattern can match an action of `service` (its vendor part equal, or wild). */
function mayNameService(pattern: string, service: string): boolean {
  const colon = pattern.indexOf(':');
  const vendor = colon < 0 ? pattern : pattern.slice(0, colon);
  if (vendor.includes('*') || vendor.includes('?')) return true;
  return vendor.toLowerCase() === service;
}

function scanResource(
  policies: readonly Policy[],
  request: EvaluationRequest,
  caller: Caller,
  keys: () => RequestKeys,
  hasBoundary: boolean,
): ResourceScan {
  const result = { deny: false, direct: false, role: false, account: false };
  for (const policy of policies) {
    for (const statement of policy.statements) {
      if (!appliesToAction(statement, request) || !appliesToResource(statement, request, keys)) continue;
      const match = statementPrincipal(statement, caller, hasBoundary);
      if (match === 'none' || !conditionsHold(statement, keys)) continue;
      if (statement.effect === 'Deny') {
        result.deny = true;
        return result;
      }
      result[match] = true;
    }
  }
  return result;
}

function statementPrincipal(
  statement: Statement,
  caller: Caller,
  hasBoundary: boolean,
): 'direct' | 'role' | 'account' | 'none' {
  const set = statement.principal;
  if (set === undefined) return 'none';
  if (!statement.notPrincipal) return principalMatch(set, caller);
  // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
  // permissions boundary policy attached" (IAM User Guide, "Permissions boundaries for IAM entities").
  if (statement.effect === 'Deny' && hasBoundary && caller.service === undefined) return 'direct';
  return isExcluded(set, caller, statement.effect) ? 'none' : 'direct';
}

function applies(statement: Statement, request: EvaluationRequest, keys: () => RequestKeys): boolean {
  return (
    appliesToAction(statement, request) &&
    appliesToResource(statement, request, keys) &&
    conditionsHold(statement, keys)
  );
}

function appliesToAction(statement: Statement, request: EvaluationRequest): boolean {
  let listed = statement.anyAction;
  if (!listed) {
    for (const action of statement.actions) {
      if (action.test(request.action)) {
        listed = true;
        break;
      }
    }
  }
  return listed !== statement.notAction;
}

function appliesToResource(statement: Statement, request: EvaluationRequest, keys: () => RequestKeys): boolean {
  if (statement.resources === undefined) return true;
  let listed = statement.anyResource;
  if (!listed) {
    for (const resource of statement.resources) {
      if (resource.matches(request.resource, keys)) {
        listed = true;
        break;
      }
    }
  }
  return listed !== statement.notResource;
}

function conditionsHold(statement: Statement, keys: () => RequestKeys): boolean {
  for (const condition of statement.conditions) if (!condition.holds(keys)) return false;
  return true;
}

const ARTICLES: Readonly<Record<DenyingPolicy, string>> = {
  'identity-based policy': 'an',
  'resource-based policy': 'a',
  'permissions boundary': 'a',
  'session policy': 'a',
  'role trust policy': 'the',
};

/**
 * AWS's AccessDenied wording (IAM User Guide, "Troubleshooting access denied error messages"):
 * "... with an explicit deny in a TYPE policy" or "... because no TYPE policy allows the ACTION action".
 */
export function denialMessage(principalArn: string, action: string, resource: string, decision: Decision): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  return decision.allowed ? head : `${head} ${denialReason(action, decision)}`;
}

/** The end of a denial's message: "with an explicit deny in ..." or "because no ... allows ...". */
export function denialReason(action: string, decision: Decision & { allowed: false }): string {
  if (decision.explicit) return `with an explicit deny in ${ARTICLES[decision.source]} ${decision.source}`;
  return `because no ${decision.missing} allows the ${action} action`;
}
