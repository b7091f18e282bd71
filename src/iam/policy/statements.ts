import { compileWildcard, type Wildcard } from '../../shared/wildcard.ts';
import { parseConditions, type Condition } from './conditions.ts';
import { LEGACY_PARSING, malformed } from './errors.ts';
import { Pattern } from './patterns.ts';
import { parsePrincipal, type PrincipalSet } from './principals.ts';

/**
 * identity: inline, managed, boundary and session policies; resource: resource-based; trust: a
 * role's trust policy; key: a KMS key policy, resource-based and, like a trust policy, one that must
 * allow the caller itself or delegate to the account ("Key policies in AWS KMS").
 */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'key';

/** A statement compiled once: every pattern is a linear-time matcher, every key lower-cased. */
export interface Statement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Undefined in identity policies: the principal is the identity the policy is attached to. */
  readonly principal: PrincipalSet | undefined;
  readonly notPrincipal: boolean;
  readonly actions: readonly Wildcard[];
  readonly anyAction: boolean;
  readonly notAction: boolean;
  /** Undefined: every resource (a resource or trust policy is about its own resource). */
  readonly resources: readonly Pattern[] | undefined;
  readonly anyResource: boolean;
  readonly notResource: boolean;
  readonly conditions: readonly Condition[];
  /** Whether matching needs the request's condition keys (a condition or a variable in a resource). */
  readonly readsKeys: boolean;
}

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PAIRS = [
  ['Action', 'NotAction'],
  ['Resource', 'NotResource'],
  ['Principal', 'NotPrincipal'],
] as const;
const VENDOR = /^[a-zA-Z0-9.-]+$/;

export function parseStatement(
  value: unknown,
  kind: PolicyKind,
  options: { variables: boolean; impliedResource: string | undefined },
): Statement {
  const s = checkElements(value, kind);
  const principalValue = s.Principal ?? s.NotPrincipal;
  const actionList = optionalList(s.Action ?? s.NotAction);
  const resourceList = optionalList(s.Resource ?? s.NotResource);
  const principal = principalValue === undefined ? undefined : parsePrincipal(principalValue);
  const conditions = s.Condition === undefined ? [] : parseConditions(s.Condition, options.variables);
  checkLists(actionList, resourceList, kind);
  const resources = resourceList ?? (options.impliedResource === undefined ? undefined : [options.impliedResource]);
  const patterns = resources?.map((r) => new Pattern(r, { wildcards: true, variables: options.variables }));
  return {
    sid: s.Sid as string | undefined,
    effect: s.Effect as 'Allow' | 'Deny',
    principal,
    notPrincipal: s.NotPrincipal !== undefined,
    actions: actionList.map((a) => compileWildcard(a, { questionMark: true, ignoreCase: true })),
    anyAction: actionList.includes('*'),
    notAction: s.NotAction !== undefined,
    resources: patterns,
    anyResource: resources === undefined || resources.includes('*'),
    notResource: s.NotResource !== undefined,
    conditions,
    readsKeys: conditions.length > 0 || (patterns?.some((p) => p.variableKeys.length > 0) ?? false),
  };
}

/** The statement's elements and their shapes, with IAM's messages. */
function checkElements(value: unknown, kind: PolicyKind): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!STATEMENT_ELEMENTS.has(key)) throw malformed();
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed();
  if (typeof s.Effect !== 'string' || !['allow', 'deny'].includes(s.Effect.toLowerCase())) throw malformed();
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(LEGACY_PARSING);
  for (const [element, negated] of PAIRS) if (s[element] !== undefined && s[negated] !== undefined) throw malformed();
  const named = s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (kind === 'identity' && named) throw malformed('Policy document should not specify a principal.');
  if (kind !== 'identity' && !named) throw malformed('Missing required field Principal');
  return s;
}

function checkLists(
  actions: readonly string[] | undefined,
  resources: readonly string[] | undefined,
  kind: PolicyKind,
): asserts actions is readonly string[] {
  if (actions === undefined || actions.length === 0) throw malformed('Policy statement must contain actions.');
  if (kind === 'identity' && (resources === undefined || resources.length === 0)) {
    throw malformed('Policy statement must contain resources.');
  }
  for (const resource of resources ?? []) {
    if (resource !== '*' && !resource.includes(':'))
      throw malformed(`Resource ${resource} must be in ARN format or "*".`);
  }
  for (const action of actions) checkAction(action);
}

/** Action / NotAction entries: `*` or `vendor:name` with wildcards in the name (IAM's messages). */
function checkAction(action: string): void {
  if (action === '*') return;
  const parts = action.split(':');
  if (parts.length === 1) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  if (parts.length > 2) throw malformed('Actions/Condition can contain only one colon.');
  if (!VENDOR.test(parts[0]!)) throw malformed(`Vendor ${parts[0]} is not valid`);
}

function optionalList(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw malformed();
  return list as string[];
}
