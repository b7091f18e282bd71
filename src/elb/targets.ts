import { isIP } from 'node:net';
import { commit, type ElbDeps } from './commit.ts';
import type { TargetHealthView } from './data-plane-contract.ts';
import { InvalidTargetException, TooManyTargetsException } from './errors.ts';
import type {
  DeregisterTargetsInput,
  DeregisterTargetsOutput,
  DescribeTargetHealthInput,
  DescribeTargetHealthOutput,
  RegisterTargetsInput,
  RegisterTargetsOutput,
  TargetDescription,
  TargetHealthDescription,
  TargetHealthReasonEnum,
} from './shapes.generated.ts';
import { requireTargetGroup } from './target-groups.ts';
import { loadState, type TargetGroupState, type TargetState } from './state.ts';

/** ELBv2's default quota of targets per target group. */
const MAX_TARGETS = 1000;

const sameTarget = (a: TargetState, b: TargetState): boolean => a.id === b.id && a.port === b.port;

function targetsOf(group: TargetGroupState, given: readonly TargetDescription[]): TargetState[] {
  return given.map((t) => ({
    id: t.Id,
    port: t.Port ?? group.view.Port ?? 80,
    ...(t.AvailabilityZone !== undefined ? { availabilityZone: t.AvailabilityZone } : {}),
  }));
}

/**
 * Instance targets must be container instances Berth knows (by their EC2 instance id); ip targets
 * any IPv4 address. Registering a target again changes nothing.
 */
export async function registerTargets(
  deps: ElbDeps,
  input: RegisterTargetsInput,
  owner?: string,
): Promise<RegisterTargetsOutput> {
  return commit(deps, async (state) => {
    const group = requireTargetGroup(state, input.TargetGroupArn);
    const wanted = targetsOf(group, input.Targets).map((t) => (owner ? { ...t, owner } : t));
    if (group.view.TargetType === 'ip') {
      const invalid = wanted.filter((t) => isIP(t.id) !== 4).map((t) => t.id);
      if (invalid.length > 0)
        throw new InvalidTargetException(
          `The following targets are not valid IPv4 addresses: '${invalid.join("', '")}'`,
        );
    } else {
      const ids = [...new Set(wanted.map((t) => t.id))];
      const known = new Set(
        (await deps.store.containerInstances.byEc2InstanceIds(ids)).map((r) => String(r.body.ec2InstanceId)),
      );
      const invalid = ids.filter((id) => !known.has(id));
      if (invalid.length > 0) {
        throw new InvalidTargetException(
          `The following targets are not container instances registered with Berth: '${invalid.join("', '")}'`,
        );
      }
    }
    const targets = [...group.targets];
    for (const target of wanted) if (!targets.some((t) => sameTarget(t, target))) targets.push(target);
    if (targets.length > MAX_TARGETS)
      throw new TooManyTargetsException(`A target group can have at most ${MAX_TARGETS} targets`);
    if (targets.length === group.targets.length) return { result: {} };
    return { put: [{ ...group, targets }], result: {} };
  });
}

export async function deregisterTargets(
  deps: ElbDeps,
  input: DeregisterTargetsInput,
): Promise<DeregisterTargetsOutput> {
  return commit(deps, (state) => {
    const group = requireTargetGroup(state, input.TargetGroupArn);
    const gone = targetsOf(group, input.Targets);
    const unknown = gone.filter((t) => !group.targets.some((r) => sameTarget(r, t)));
    if (unknown.length > 0) {
      throw new InvalidTargetException(
        `The following targets are not registered in target group '${group.arn}': '${unknown.map((t) => `${t.id}:${t.port}`).join("', '")}'`,
      );
    }
    const targets = group.targets.filter((t) => !gone.some((g) => sameTarget(g, t)));
    return { put: [{ ...group, targets }], result: {} };
  });
}

/** Health as the data plane sees it now (registered targets and those still draining). */
export async function describeTargetHealth(
  deps: ElbDeps,
  input: DescribeTargetHealthInput,
): Promise<DescribeTargetHealthOutput> {
  const group = requireTargetGroup(await loadState(deps.store), input.TargetGroupArn);
  const views = deps.dataPlane.targetHealth(group.arn);
  if (input.Targets === undefined) return { TargetHealthDescriptions: views.map((v) => healthDescription(group, v)) };
  return {
    TargetHealthDescriptions: targetsOf(group, input.Targets).map((target) => {
      const view = views.find((v) => v.id === target.id && v.port === target.port);
      return healthDescription(
        group,
        view ?? {
          id: target.id,
          port: target.port,
          state: 'unused',
          reason: 'Target.NotRegistered',
          description: 'Target is not registered to the target group',
        },
      );
    }),
  };
}

function healthDescription(group: TargetGroupState, view: TargetHealthView): TargetHealthDescription {
  const hcPort = group.view.HealthCheckPort ?? 'traffic-port';
  return {
    Target: {
      Id: view.id,
      Port: view.port,
      ...(view.availabilityZone !== undefined ? { AvailabilityZone: view.availabilityZone } : {}),
    },
    HealthCheckPort: hcPort === 'traffic-port' ? String(view.port) : hcPort,
    TargetHealth: {
      State: view.state,
      ...(view.reason !== undefined ? { Reason: view.reason as TargetHealthReasonEnum } : {}),
      ...(view.description !== undefined ? { Description: view.description } : {}),
    },
  };
}
