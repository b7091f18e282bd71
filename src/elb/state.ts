import type { ElbResourceRecord, MetadataStore } from '../store/index.ts';
import type { Action, Listener, LoadBalancer, RuleCondition, Tag, TargetGroup } from './shapes.generated.ts';

/*
 * The ELBv2 resources as the domain handles them: the API object (without what is computed on
 * read) plus what goes with it, decoded from and encoded to the store's records. Every write
 * starts from a whole ElbState (load balancers number in the tens, targets in the thousands).
 */

export interface LoadBalancerState {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: Date;
  /** The API object without CreatedTime (the record's createdAt). */
  readonly view: Omit<LoadBalancer, 'CreatedTime'>;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
}

export interface TargetState {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone?: string | undefined;
  /** The ECS task a service registered it for (absent for targets registered through the API). */
  readonly owner?: string | undefined;
}

export interface TargetGroupState {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: Date;
  /** Without LoadBalancerArns (computed from the listeners and rules that forward to it). */
  readonly view: Omit<TargetGroup, 'LoadBalancerArns'>;
  readonly attributes: Readonly<Record<string, string>>;
  readonly targets: readonly TargetState[];
  readonly tags: readonly Tag[];
}

export interface ListenerState {
  readonly arn: string;
  readonly loadBalancerArn: string;
  readonly createdAt: Date;
  readonly view: Listener;
  readonly tags: readonly Tag[];
  /** HTTPS: the certificates added besides the default (AddListenerCertificates), chosen by SNI. */
  readonly certificates?: readonly string[];
}

export interface RuleState {
  readonly arn: string;
  readonly listenerArn: string;
  readonly createdAt: Date;
  /** 'default' for the listener's default rule (its actions are the listener's DefaultActions). */
  readonly priority: number | 'default';
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly Action[];
  readonly tags: readonly Tag[];
}

export interface ElbState {
  readonly loadBalancers: ReadonlyMap<string, LoadBalancerState>;
  readonly targetGroups: ReadonlyMap<string, TargetGroupState>;
  readonly listeners: ReadonlyMap<string, ListenerState>;
  readonly rules: ReadonlyMap<string, RuleState>;
}

export type AnyResource = LoadBalancerState | TargetGroupState | ListenerState | RuleState;

export async function loadState(store: MetadataStore): Promise<ElbState> {
  return stateOf(await store.elb.list());
}

export function stateOf(records: readonly ElbResourceRecord[]): ElbState {
  const state = {
    loadBalancers: new Map<string, LoadBalancerState>(),
    targetGroups: new Map<string, TargetGroupState>(),
    listeners: new Map<string, ListenerState>(),
    rules: new Map<string, RuleState>(),
  };
  for (const record of records) {
    const base = { arn: record.arn, createdAt: record.createdAt, tags: record.tags as Tag[], ...record.body };
    if (record.kind === 'load-balancer') state.loadBalancers.set(record.arn, base as unknown as LoadBalancerState);
    else if (record.kind === 'target-group') state.targetGroups.set(record.arn, base as unknown as TargetGroupState);
    else if (record.kind === 'listener') state.listeners.set(record.arn, base as unknown as ListenerState);
    else state.rules.set(record.arn, base as unknown as RuleState);
  }
  return state;
}

/** The store record of a resource: the fields besides arn, createdAt and tags go in its body. */
export function recordOf(resource: AnyResource): ElbResourceRecord {
  const { arn, createdAt, tags, ...body } = resource;
  if ('listenerArn' in resource) {
    return { arn, kind: 'rule', name: undefined, parentArn: resource.listenerArn, createdAt, body, tags };
  }
  if ('loadBalancerArn' in resource) {
    return { arn, kind: 'listener', name: undefined, parentArn: resource.loadBalancerArn, createdAt, body, tags };
  }
  const kind = 'targets' in resource ? 'target-group' : 'load-balancer';
  return { arn, kind, name: resource.name, parentArn: undefined, createdAt, body, tags };
}

/** The state after putting and removing resources (what the data plane is shown before the commit). */
export function changedState(state: ElbState, put: readonly AnyResource[], remove: readonly string[]): ElbState {
  const next = {
    loadBalancers: new Map(state.loadBalancers),
    targetGroups: new Map(state.targetGroups),
    listeners: new Map(state.listeners),
    rules: new Map(state.rules),
  };
  for (const arn of remove) {
    next.loadBalancers.delete(arn);
    next.targetGroups.delete(arn);
    next.listeners.delete(arn);
    next.rules.delete(arn);
  }
  for (const resource of put) {
    if ('listenerArn' in resource) next.rules.set(resource.arn, resource);
    else if ('loadBalancerArn' in resource) next.listeners.set(resource.arn, resource);
    else if ('targets' in resource) next.targetGroups.set(resource.arn, resource);
    else next.loadBalancers.set(resource.arn, resource);
  }
  return next;
}

/** The target groups a forward action sends to. */
export function forwardedGroups(actions: readonly Action[]): string[] {
  const arns = new Set<string>();
  for (const action of actions) {
    if (action.Type !== 'forward') continue;
    if (action.TargetGroupArn) arns.add(action.TargetGroupArn);
    for (const tuple of action.ForwardConfig?.TargetGroups ?? [])
      if (tuple.TargetGroupArn) arns.add(tuple.TargetGroupArn);
  }
  return [...arns];
}

/** The load balancers whose listeners or rules forward to each target group. */
export function loadBalancersByTargetGroup(state: ElbState): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const rule of state.rules.values()) {
    const listener = state.listeners.get(rule.listenerArn);
    if (!listener) continue;
    for (const arn of forwardedGroups(rule.actions)) {
      let set = out.get(arn);
      if (!set) out.set(arn, (set = new Set()));
      set.add(listener.loadBalancerArn);
    }
  }
  return out;
}

export function rulesOf(state: ElbState, listenerArn: string): RuleState[] {
  return [...state.rules.values()].filter((r) => r.listenerArn === listenerArn);
}

export function listenersOf(state: ElbState, loadBalancerArn: string): ListenerState[] {
  return [...state.listeners.values()].filter((l) => l.loadBalancerArn === loadBalancerArn);
}
