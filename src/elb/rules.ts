import { normalizeActions } from './actions.ts';
import { commit, type ElbDeps } from './commit.ts';
import { sortRules } from './data-plane-config.ts';
import {
  OperationNotPermittedException,
  PriorityInUseException,
  RuleNotFoundException,
  TooManyRulesException,
  ValidationError,
} from './errors.ts';
import { requireListener } from './listeners.ts';
import { ruleArn } from './names.ts';
import { paginate } from './pagination.ts';
import { normalizeConditions } from './rule-conditions.ts';
import type {
  CreateRuleInput,
  CreateRuleOutput,
  DeleteRuleInput,
  DeleteRuleOutput,
  DescribeRulesInput,
  DescribeRulesOutput,
  ModifyRuleInput,
  ModifyRuleOutput,
  Rule,
  SetRulePrioritiesInput,
  SetRulePrioritiesOutput,
} from './shapes.generated.ts';
import { loadState, rulesOf, type AnyResource, type ElbState, type RuleState } from './state.ts';
import { checkNewTags } from './tags.ts';

/** ELBv2's default quota of rules per Application Load Balancer listener (the default rule aside). */
const MAX_RULES = 100;

export function ruleView(rule: RuleState): Rule {
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: [...rule.conditions],
    Actions: [...rule.actions],
    IsDefault: rule.priority === 'default',
  };
}

export function requireRule(state: ElbState, arn: string): RuleState {
  const rule = state.rules.get(arn);
  if (!rule) throw new RuleNotFoundException(`Rule '${arn}' not found`);
  return rule;
}

function conditionsOf(conditions: CreateRuleInput['Conditions']): ReturnType<typeof normalizeConditions> {
  if (conditions.length === 0) throw new ValidationError('A rule must have at least one condition');
  return normalizeConditions(conditions);
}

export async function createRule(deps: ElbDeps, input: CreateRuleInput): Promise<CreateRuleOutput> {
  const conditions = conditionsOf(input.Conditions);
  const tags = checkNewTags(input.Tags);
  if (input.Transforms !== undefined) throw new ValidationError('Berth does not support rule transforms yet');
  return commit(deps, (state) => {
    const listener = requireListener(state, input.ListenerArn);
    const actions = normalizeActions(state, listener.loadBalancerArn, input.Actions, listener.view.Protocol);
    const rules = rulesOf(state, listener.arn).filter((r) => r.priority !== 'default');
    if (rules.some((r) => r.priority === input.Priority))
      throw new PriorityInUseException(`Priority '${input.Priority}' is currently in use`);
    if (rules.length >= MAX_RULES) throw new TooManyRulesException(`A listener can have at most ${MAX_RULES} rules`);
    const rule: RuleState = {
      arn: ruleArn(listener.arn),
      listenerArn: listener.arn,
      createdAt: deps.clock.now(),
      priority: input.Priority,
      conditions,
      actions,
      tags,
    };
    return { put: [rule], result: { Rules: [ruleView(rule)] } };
  });
}

export async function modifyRule(deps: ElbDeps, input: ModifyRuleInput): Promise<ModifyRuleOutput> {
  if (input.Transforms !== undefined) throw new ValidationError('Berth does not support rule transforms yet');
  return commit(deps, (state) => {
    const rule = requireRule(state, input.RuleArn);
    const listener = requireListener(state, rule.listenerArn);
    if (rule.priority === 'default' && input.Conditions !== undefined)
      throw new OperationNotPermittedException('The conditions of a default rule cannot be modified');
    const next: RuleState = {
      ...rule,
      conditions: input.Conditions !== undefined ? conditionsOf(input.Conditions) : rule.conditions,
      actions:
        input.Actions !== undefined
          ? normalizeActions(state, listener.loadBalancerArn, input.Actions, listener.view.Protocol)
          : rule.actions,
    };
    // The default rule's actions are the listener's default actions.
    const put: AnyResource[] =
      rule.priority === 'default'
        ? [next, { ...listener, view: { ...listener.view, DefaultActions: [...next.actions] } }]
        : [next];
    return { put, result: { Rules: [ruleView(next)] } };
  });
}

export async function deleteRule(deps: ElbDeps, input: DeleteRuleInput): Promise<DeleteRuleOutput> {
  return commit(deps, (state) => {
    const rule = requireRule(state, input.RuleArn);
    if (rule.priority === 'default') throw new OperationNotPermittedException('A default rule cannot be deleted');
    return { remove: [rule.arn], result: {} };
  });
}

export async function describeRules(deps: ElbDeps, input: DescribeRulesInput): Promise<DescribeRulesOutput> {
  const state = await loadState(deps.store);
  let found: RuleState[];
  if (input.RuleArns !== undefined) {
    if (input.ListenerArn !== undefined)
      throw new ValidationError('Rule ARNs and a listener ARN cannot be specified at the same time');
    found = input.RuleArns.map((arn) => requireRule(state, arn));
  } else if (input.ListenerArn !== undefined) {
    found = rulesOf(state, requireListener(state, input.ListenerArn).arn);
  } else {
    throw new ValidationError('You must specify either rule ARNs or a listener ARN');
  }
  // The marker orders like the rules: priorities padded, the default rule after them all.
  const key = (r: RuleState): string =>
    `${r.priority === 'default' ? '99999' : String(r.priority).padStart(5, '0')}/${r.arn}`;
  const { page, nextMarker } = paginate(sortRules(found), key, input);
  return { Rules: page.map(ruleView), ...(nextMarker ? { NextMarker: nextMarker } : {}) };
}

/** Moves rules to new priorities all at once: the end state must have no two rules on one priority. */
export async function setRulePriorities(
  deps: ElbDeps,
  input: SetRulePrioritiesInput,
): Promise<SetRulePrioritiesOutput> {
  return commit(deps, (state) => {
    const moved = new Map<string, RuleState>();
    for (const pair of input.RulePriorities) {
      const rule = requireRule(state, pair.RuleArn ?? '');
      if (rule.priority === 'default')
        throw new OperationNotPermittedException('Default rule priority cannot be modified');
      if (pair.Priority === undefined) throw new ValidationError('A priority must be specified for each rule');
      if (moved.has(rule.arn)) throw new ValidationError(`Rule '${rule.arn}' appears more than once`);
      moved.set(rule.arn, { ...rule, priority: pair.Priority });
    }
    for (const listenerArn of new Set([...moved.values()].map((r) => r.listenerArn))) {
      const taken = new Set<number | 'default'>();
      for (const rule of rulesOf(state, listenerArn)) {
        const priority = (moved.get(rule.arn) ?? rule).priority;
        if (priority !== 'default' && taken.has(priority))
          throw new PriorityInUseException(`Priority '${priority}' is currently in use`);
        taken.add(priority);
      }
    }
    const rules = [...moved.values()];
    return { put: rules, result: { Rules: sortRules(rules).map(ruleView) } };
  });
}
