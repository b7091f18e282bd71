import type { Principal } from '../../shared/principal.ts';
import { userPrincipal } from '../../shared/principal.ts';
import type { RequestContext } from '../../shared/request-context.ts';
import type { IamDirectory } from '../directory.ts';
import { InvalidInputException } from '../errors.ts';
import { nameOfArn } from '../model/names.ts';
import { conditionKeysOf, evaluate, requestContext, type Decision, type Policy } from '../policy/index.ts';
import type * as Api from '../shapes.generated.ts';
import { paginate, requireGroup, requireRole, requireUser, type IamDeps } from './common.ts';

/*
 * SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the evaluator that authorizes real
 * requests, with the principal's policies as the access control gets them from the directory.
 */

interface Simulation {
  readonly principal: Principal;
  readonly identity: readonly Policy[];
  readonly boundary?: readonly Policy[];
  readonly principalTags: Readonly<Record<string, string>>;
}

const LIST_TYPES = new Set(['stringList', 'numericList', 'booleanList', 'ipList', 'binaryList', 'dateList']);

function decisionName(decision: Decision): Api.PolicyEvaluationDecisionType {
  if (decision.allowed) return 'allowed';
  return decision.explicit ? 'explicitDeny' : 'implicitDeny';
}

/** The user, group or role a PolicySourceArn names, as a principal with its policies. */
function sourceOf(directory: IamDirectory, arn: string): Simulation {
  const resource = arn.split(':').slice(5).join(':');
  const name = nameOfArn(arn);
  if (resource.startsWith('user/')) {
    const user = requireUser(directory, name);
    const principal = userPrincipal({ arn: user.arn, userId: user.id, name: user.name });
    return {
      principal,
      ...directory.identityPoliciesOf(principal),
      principalTags: directory.principalTagsOf(principal),
    };
  }
  if (resource.startsWith('role/')) {
    const role = requireRole(directory, name);
    const principal: Principal = {
      arn: `arn:aws:sts::${directory.accountId}:assumed-role/${role.name}/simulation`,
      root: false,
      kind: 'assumed-role',
      accountId: directory.accountId,
      userId: `${role.id}:simulation`,
      session: { roleArn: role.arn, roleName: role.name, sessionName: 'simulation', expiresAt: new Date(8.64e15) },
    };
    return {
      principal,
      ...directory.identityPoliciesOf(principal),
      principalTags: directory.principalTagsOf(principal),
    };
  }
  if (resource.startsWith('group/')) {
    const group = requireGroup(directory, name);
    const identity = [
      ...Object.values(group.inline).map((text) => directory.compile(text, 'identity')),
      ...group.attached.flatMap((a) => {
        const policy = directory.policy(a);
        const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
        return version ? [directory.compile(version.document, 'identity')] : [];
      }),
    ];
    const principal: Principal = {
      arn: group.arn,
      root: false,
      kind: 'user',
      accountId: directory.accountId,
      userId: group.id,
    };
    return { principal, identity, principalTags: {} };
  }
  throw new InvalidInputException(`Invalid ARN: ${arn} names no user, group or role.`);
}

function contextOf(entries: readonly Api.ContextEntry[] | undefined): Record<string, string | readonly string[]> {
  const values: Record<string, string | readonly string[]> = {};
  for (const entry of entries ?? []) {
    if (entry.ContextKeyName === undefined) continue;
    const given = entry.ContextKeyValues ?? [];
    values[entry.ContextKeyName] = LIST_TYPES.has(entry.ContextKeyType ?? '') ? given : (given[0] ?? '');
  }
  return values;
}

function simulate(
  directory: IamDirectory,
  simulation: Simulation,
  input: Api.SimulateCustomPolicyRequest,
): Api.SimulatePolicyResponse {
  const extra = (input.PolicyInputList ?? []).map((text) => directory.compile(text, 'identity'));
  const extraBoundary = (input.PermissionsBoundaryPolicyInputList ?? []).map((text) =>
    directory.compile(text, 'identity'),
  );
  const resourcePolicy =
    input.ResourcePolicy === undefined ? [] : [directory.compile(input.ResourcePolicy, 'resource')];
  const identity = [...simulation.identity, ...extra];
  const boundary = extraBoundary.length > 0 ? [...(simulation.boundary ?? []), ...extraBoundary] : simulation.boundary;
  const given = contextOf(input.ContextEntries);
  const context = requestContext(
    simulation.principal,
    { now: directory.now(), principalTags: simulation.principalTags },
    given,
  );
  const supplied = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  const used = conditionKeysOf([...identity, ...(boundary ?? []), ...resourcePolicy]);
  const missing = [...used].filter((key) => !supplied.has(key) && !key.startsWith('aws:'));
  const resources = input.ResourceArns?.length ? input.ResourceArns : ['*'];
  const results: Api.EvaluationResult[] = [];
  for (const action of input.ActionNames) {
    for (const resource of resources) {
      const decision = evaluate(
        { action, resource, principal: simulation.principal, context },
        { identity, ...(resourcePolicy.length ? { resource: resourcePolicy } : {}), ...(boundary ? { boundary } : {}) },
      );
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: decisionName(decision),
        MatchedStatements: [],
        MissingContextValues: missing,
      });
    }
  }
  const keyed = results.map((r, i) => ({ r, key: String(i).padStart(8, '0') }));
  const { page, ...more } = paginate(keyed, (e) => e.key, input);
  return { EvaluationResults: page.map((e) => e.r), ...more };
}

export async function simulatePrincipalPolicy(
  { directory }: IamDeps,
  input: Api.SimulatePrincipalPolicyRequest,
): Promise<Api.SimulatePolicyResponse> {
  const source = sourceOf(directory, input.PolicySourceArn);
  return simulate(directory, source, input as Api.SimulateCustomPolicyRequest);
}

/** Custom policies for the caller (or CallerArn, a user of the account). */
export async function simulateCustomPolicy(
  { directory }: IamDeps,
  input: Api.SimulateCustomPolicyRequest,
  context: RequestContext,
): Promise<Api.SimulatePolicyResponse> {
  const caller = input.CallerArn === undefined ? context.principal : sourceOf(directory, input.CallerArn).principal;
  return simulate(
    directory,
    { principal: caller, identity: [], principalTags: directory.principalTagsOf(caller) },
    input,
  );
}
