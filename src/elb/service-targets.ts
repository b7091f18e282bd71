import { commit, HOST_ADDRESS_ATTRIBUTE, syncDataPlane, ZONE_ATTRIBUTE, type ElbDeps } from './commit.ts';
import type { TargetHealthView } from './data-plane-contract.ts';
import type { TargetGroup } from './shapes.generated.ts';
import { loadState } from './state.ts';
import type { MetadataStore } from '../store/index.ts';
import { requireTargetGroup, targetGroupView } from './target-groups.ts';
import { registerTargets } from './targets.ts';
import { modifyRule } from './rules.ts';
import type { ElbState, RuleState } from './state.ts';

/** A task's place in a target group: an EC2 instance id (instance groups) or an IPv4 address (ip groups). */
export interface ServiceTarget {
  readonly id: string;
  /** The group's port when absent. */
  readonly port?: number;
  readonly availabilityZone?: string;
}

/**
 * What the ECS service scheduler uses, in process and without the HTTP API: the same rules and the
 * same commit path as RegisterTargets and DeregisterTargets, with the errors (TargetGroupNotFound,
 * InvalidTarget) as AwsErrors. Deregistering a target that is not registered does nothing, so the
 * scheduler may repeat itself.
 */
export class Elb {
  readonly #deps: ElbDeps;
  constructor(deps: ElbDeps) {
    this.#deps = deps;
  }

  /** Registers a target on behalf of an ECS task (its owner, what ownedTargets answers). */
  async registerServiceTarget(targetGroupArn: string, target: ServiceTarget, owner?: string): Promise<void> {
    await registerTargets(this.#deps, { TargetGroupArn: targetGroupArn, Targets: [description(target)] }, owner);
  }

  /** Targets of the group registered on behalf of ECS tasks (empty for an unknown group). */
  async ownedTargets(targetGroupArn: string): Promise<{ id: string; port: number; owner: string }[]> {
    const group = (await loadState(this.#deps.store)).targetGroups.get(targetGroupArn);
    return (group?.targets ?? []).flatMap((t) => (t.owner ? [{ id: t.id, port: t.port, owner: t.owner }] : []));
  }

  async deregisterServiceTarget(targetGroupArn: string, target: ServiceTarget): Promise<void> {
    await commit(this.#deps, (state) => {
      const group = requireTargetGroup(state, targetGroupArn);
      const port = target.port ?? group.view.Port;
      const targets = group.targets.filter((t) => !(t.id === target.id && t.port === port));
      if (targets.length === group.targets.length) return { result: undefined };
      return { put: [{ ...group, targets }], result: undefined };
    });
  }

  /** The data plane's view of one target now; undefined once it is neither registered nor draining. */
  targetHealthOf(targetGroupArn: string, id: string, port: number): TargetHealthView | undefined {
    return this.#deps.dataPlane.targetHealth(targetGroupArn).find((v) => v.id === id && v.port === port);
  }

  /** The group as DescribeTargetGroups shows it (with LoadBalancerArns), or undefined. */
  async describeTargetGroup(arn: string): Promise<TargetGroup | undefined> {
    const state = await loadState(this.#deps.store);
    const group = state.targetGroups.get(arn);
    return group ? targetGroupView(group, state) : undefined;
  }

  /**
   * The weighted groups a rule forwards to (a listener ARN names its default rule, as ECS's
   * productionListenerRule may); undefined without such a rule, [] when it does not forward.
   */
  async forwardOf(ruleOrListenerArn: string): Promise<{ targetGroupArn: string; weight: number }[] | undefined> {
    const rule = ruleOrDefault(await loadState(this.#deps.store), ruleOrListenerArn);
    if (!rule) return undefined;
    const forward = rule.actions.find((a) => a.Type === 'forward');
    return (forward?.ForwardConfig?.TargetGroups ?? []).map((g) => ({
      targetGroupArn: g.TargetGroupArn ?? '',
      weight: g.Weight ?? 1,
    }));
  }

  /** Rewrites a rule's forward to these weighted groups: ModifyRule's checks and commit path. */
  async setForward(ruleOrListenerArn: string, weights: readonly { targetGroupArn: string; weight: number }[]) {
    const rule = ruleOrDefault(await loadState(this.#deps.store), ruleOrListenerArn);
    const stickiness = rule?.actions[0]?.ForwardConfig?.TargetGroupStickinessConfig;
    await modifyRule(this.#deps, {
      RuleArn: rule?.arn ?? ruleOrListenerArn,
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: weights.map((w) => ({ TargetGroupArn: w.targetGroupArn, Weight: w.weight })),
            ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}),
          },
        },
      ],
    });
  }

  /** Hands the data plane the stored configuration (at server start). */
  syncDataPlane(): Promise<void> {
    return syncDataPlane(this.#deps);
  }

  /**
   * Container instances changed (`attributeNames` undefined: registered or deregistered). Instance
   * targets are reached at their instance's `berth.host-address` and reported in its zone, so the
   * data plane is handed the configuration again when those may have changed. A failure leaves
   * the previous addresses in use until the next ELB write: the ECS write it follows has happened.
   */
  async instancesChanged(attributeNames: readonly string[] | undefined): Promise<void> {
    const relevant = (name: string): boolean => name === HOST_ADDRESS_ATTRIBUTE || name === ZONE_ATTRIBUTE;
    if (attributeNames !== undefined && !attributeNames.some(relevant)) return;
    await syncDataPlane(this.#deps).catch(() => undefined);
  }
}

function ruleOrDefault(state: ElbState, arn: string): RuleState | undefined {
  return (
    state.rules.get(arn) ?? [...state.rules.values()].find((r) => r.listenerArn === arn && r.priority === 'default')
  );
}

function description(target: ServiceTarget) {
  return {
    Id: target.id,
    ...(target.port !== undefined ? { Port: target.port } : {}),
    ...(target.availabilityZone !== undefined ? { AvailabilityZone: target.availabilityZone } : {}),
  };
}

/**
 * The load balancers whose listeners serve a certificate, as default or added (ACM's InUseBy;
 * DeleteCertificate is refused while there are any).
 */
export async function certificateUsers(store: MetadataStore, certificateArn: string): Promise<string[]> {
  const state = await loadState(store);
  const users = [...state.listeners.values()].filter(
    (listener) =>
      (listener.view.Certificates ?? []).some((c) => c.CertificateArn === certificateArn) ||
      (listener.certificates ?? []).includes(certificateArn),
  );
  return [...new Set(users.map((listener) => listener.loadBalancerArn))];
}
