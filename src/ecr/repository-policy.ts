import { compileWildcard } from '../shared/wildcard.ts';

/**
 * ECR repository and registry policies: IAM resource-policy grammar (Version, Statement, Sid,
 * Effect, Principal, Action / NotAction, Resource) and their evaluation the way AWS evaluates a
 * resource policy for a principal of the registry's own account: an explicit Deny wins over
 * everything; the account root may do anything not denied; any other principal needs an Allow.
 * A repository policy's statements are about its repository (a Resource element is ignored); a
 * registry policy covers the whole registry, so each statement names the ARNs it covers, and a
 * statement applies to a request only when one of them matches the request's resource.
 * Conditions are not supported yet and are refused, so a policy never means less than it says.
 */

export interface PolicyStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** '*' or principal ARNs / account ids. */
  readonly principals: '*' | readonly string[];
  readonly actions: readonly string[];
  readonly notActions: boolean;
  /** ARN patterns (`*` and `?` wildcards) the statement covers; undefined: the policy's own resource. */
  readonly resources: readonly string[] | undefined;
}

export interface RepositoryPolicy {
  readonly statements: readonly PolicyStatement[];
}

export class PolicyGrammarError extends Error {}

export type PolicyDecision = 'allow' | 'deny' | 'no-match';

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

/** Which policy a text is: a repository's own, or the registry's (statements name their resources). */
type PolicyKind = 'repository' | 'registry';

export function parseRepositoryPolicy(text: string): RepositoryPolicy {
  return parsePolicy(text, 'repository');
}

/** A registry policy: the repository policy grammar, with a Resource in every statement. */
export function parseRegistryPolicy(text: string): RepositoryPolicy {
  return parsePolicy(text, 'registry');
}

function parsePolicy(text: string, kind: PolicyKind): RepositoryPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PolicyGrammarError('the policy is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new PolicyGrammarError('the policy must be a JSON object');
  const policy = json as Record<string, unknown>;
  for (const key of Object.keys(policy)) {
    if (key !== 'Version' && key !== 'Statement' && key !== 'Id')
      throw new PolicyGrammarError(`unknown policy element '${key}'`);
  }
  if (typeof policy.Version !== 'string' || !VERSIONS.has(policy.Version)) {
    throw new PolicyGrammarError("Version must be '2012-10-17' or '2008-10-17'");
  }
  const statements = Array.isArray(policy.Statement)
    ? policy.Statement
    : policy.Statement === undefined
      ? []
      : [policy.Statement];
  if (statements.length === 0) throw new PolicyGrammarError('the policy needs at least one Statement');
  return { statements: statements.map((s, i) => parseStatement(s, `Statement[${i}]`, kind)) };
}

function parseStatement(value: unknown, path: string, kind: PolicyKind): PolicyStatement {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PolicyGrammarError(`${path} must be an object`);
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (key === 'Condition') throw new PolicyGrammarError(`${path}: Condition is not supported yet`);
    if (key === 'NotPrincipal') throw new PolicyGrammarError(`${path}: NotPrincipal is not supported yet`);
    if (key === 'NotResource' && kind === 'registry')
      throw new PolicyGrammarError(`${path}: NotResource is not supported yet`);
    if (!['Sid', 'Effect', 'Principal', 'Action', 'NotAction', 'Resource'].includes(key)) {
      throw new PolicyGrammarError(`${path}: unknown element '${key}'`);
    }
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
    throw new PolicyGrammarError(`${path}: Effect must be Allow or Deny`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new PolicyGrammarError(`${path}: Sid must be a string`);
  if ((s.Action === undefined) === (s.NotAction === undefined))
    throw new PolicyGrammarError(`${path}: exactly one of Action and NotAction is required`);
  const actions = stringOrList(s.Action ?? s.NotAction, `${path}.Action`);
  for (const action of actions) {
    if (action !== '*' && !/^ecr:[A-Za-z*?]+$/i.test(action))
      throw new PolicyGrammarError(`${path}: '${action}' is not an ECR action (ecr:Name, wildcards * and ?)`);
  }
  return {
    sid: s.Sid as string | undefined,
    effect: s.Effect,
    principals: parsePrincipal(s.Principal, `${path}.Principal`, kind),
    actions,
    notActions: s.NotAction !== undefined,
    resources: kind === 'registry' ? parseResources(s.Resource, `${path}.Resource`) : undefined,
  };
}

/** A registry policy statement's resources: `*`, or ECR ARNs (wildcards allowed). */
function parseResources(value: unknown, path: string): readonly string[] {
  if (value === undefined) throw new PolicyGrammarError(`${path} is required in a registry policy`);
  const resources = stringOrList(value, path);
  for (const resource of resources) {
    if (resource !== '*' && !/^arn:aws:ecr:[^:]*:[^:]*:[^:]+$/.test(resource))
      throw new PolicyGrammarError(
        `${path}: '${resource}' is not an ECR resource ARN (arn:aws:ecr:REGION:ACCOUNT:...)`,
      );
  }
  return resources;
}

function parsePrincipal(value: unknown, path: string, kind: PolicyKind): '*' | readonly string[] {
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyGrammarError(`${path} is required in a ${kind} policy: "*" or {"AWS": [...]}`);
  }
  const principal = value as Record<string, unknown>;
  for (const key of Object.keys(principal))
    if (key !== 'AWS') throw new PolicyGrammarError(`${path}: only AWS principals are supported, not '${key}'`);
  const aws = stringOrList(principal.AWS, `${path}.AWS`);
  for (const arn of aws) {
    if (arn !== '*' && !/^(\d{12}|arn:aws:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+))$/.test(arn)) {
      throw new PolicyGrammarError(`${path}: invalid principal '${arn}'`);
    }
  }
  return aws.includes('*') ? '*' : aws;
}

function stringOrList(value: unknown, path: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw new PolicyGrammarError(`${path} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

/** IAM's action wildcards: `*` any run of characters, `?` one, case-insensitive (linear time). */
function actionMatches(pattern: string, action: string): boolean {
  return pattern === '*' || compileWildcard(pattern, { questionMark: true, ignoreCase: true }).test(action);
}

function principalMatches(principals: '*' | readonly string[], principalArn: string): boolean {
  if (principals === '*') return true;
  const account = /^arn:aws:iam::(\d{12}):/.exec(principalArn)?.[1];
  return principals.some((p) => p === principalArn || (p === account && principalArn.endsWith(':root')));
}

/** IAM's resource wildcards: `*` any run of characters, `?` one, case-sensitive (linear time). */
function resourceMatches(patterns: readonly string[] | undefined, resource: string | undefined): boolean {
  if (patterns === undefined) return true; // the policy's own resource
  if (resource === undefined) return false;
  return patterns.some((p) => p === '*' || compileWildcard(p, { questionMark: true }).test(resource));
}

/**
 * What the policy says about a principal performing an action ('no-match' when it says nothing),
 * on `resource` (which a registry policy's statements are matched against).
 */
export function evaluatePolicy(
  policy: RepositoryPolicy | undefined,
  principalArn: string,
  action: string,
  resource?: string,
): PolicyDecision {
  if (!policy) return 'no-match';
  let allowed = false;
  for (const statement of policy.statements) {
    if (!principalMatches(statement.principals, principalArn)) continue;
    if (!resourceMatches(statement.resources, resource)) continue;
    const listed = statement.actions.some((a) => actionMatches(a, action));
    if (listed === statement.notActions) continue;
    if (statement.effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'no-match';
}

/** The decision for a principal of the repository's account: explicit Deny, then root, then Allow. */
export function isAuthorized(
  policy: RepositoryPolicy | undefined,
  principal: { arn: string; root: boolean },
  action: string,
): boolean {
  const decision = evaluatePolicy(policy, principal.arn, action);
  if (decision === 'deny') return false;
  return principal.root || decision === 'allow';
}
