import { BlockList, isIP } from 'node:net';
import { commit, HOST_ADDRESS_ATTRIBUTE, type ElbDeps } from './commit.ts';
import type { TargetHealthView } from './data-plane-contract.ts';
import { LOCAL_HOST_ADDRESS } from './data-plane-config.ts';
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
import { loadState, type ElbState, type TargetGroupState, type TargetState } from './state.ts';

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

/** Loopback and the unspecified addresses: a connection there stays on this host. */
const LOCAL_ADDRESSES = new BlockList();
LOCAL_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL_ADDRESSES.addAddress('0.0.0.0', 'ipv4');
LOCAL_ADDRESSES.addAddress('::1', 'ipv6');
LOCAL_ADDRESSES.addAddress('::', 'ipv6');

/** Whether a connection to `address` reaches this host (`own`: its other addresses and names, lower-case). */
function isThisHost(address: string, own: ReadonlySet<string>): boolean {
  const lower = address.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost') || own.has(lower)) return true;
  const family = isIP(lower);
  return family !== 0 && LOCAL_ADDRESSES.check(lower, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Targets that would send a load balancer's traffic to Berth itself: a listener's port (a loop
 * through the proxy), the API and registry, or the task metadata endpoint, at an address of this
 * host. Each is described for the error message.
 */
function ownPortTargets(
  deps: ElbDeps,
  state: ElbState,
  targets: readonly TargetState[],
  addressOf: (target: TargetState) => string,
): string[] {
  const reserved = deps.reservedPorts?.();
  const names = new Map<number, string>();
  for (const { port, name } of reserved?.ports ?? []) if (port > 0) names.set(port, name);
  for (const listener of state.listeners.values()) {
    const port = listener.view.Port;
    const balancer = state.loadBalancers.get(listener.loadBalancerArn)?.name ?? listener.loadBalancerArn;
    if (port !== undefined && !names.has(port)) names.set(port, `a listener of load balancer '${balancer}'`);
  }
  const own = new Set([deps.bindAddress, ...(reserved?.hostAddresses ?? [])].map((a) => a.toLowerCase()));
  const refused: string[] = [];
  for (const target of targets) {
    const name = names.get(target.port);
    const address = addressOf(target);
    if (name === undefined || !isThisHost(address, own)) continue;
    const at = address === target.id ? '' : ` at ${address}`;
    refused.push(`'${target.id}:${target.port}' (${name}${at})`);
  }
  return refused;
}

/**
 * Instance targets must be container instances Berth knows (by their EC2 instance id); ip targets
 * any IPv4 address. Neither may point at Berth's own ports on this host. Registering a target
 * again changes nothing.
 */
export async function registerTargets(
  deps: ElbDeps,
  input: RegisterTargetsInput,
  owner?: string,
): Promise<RegisterTargetsOutput> {
  return commit(deps, async (state) => {
    const group = requireTargetGroup(state, input.TargetGroupArn);
    const wanted = targetsOf(group, input.Targets).map((t) => (owner ? { ...t, owner } : t));
    const addresses = new Map<string, string>();
    if (group.view.TargetType === 'ip') {
      const invalid = wanted.filter((t) => isIP(t.id) !== 4).map((t) => t.id);
      if (invalid.length > 0)
        throw new InvalidTargetException(
          `The following targets are not valid IPv4 addresses: '${invalid.join("', '")}'`,
        );
    } else {
      const ids = [...new Set(wanted.map((t) => t.id))];
      for (const record of await deps.store.containerInstances.byEc2InstanceIds(ids)) {
        const attributes = (record.body.attributes ?? []) as { name: string; value?: string }[];
        const address = attributes.find((a) => a.name === HOST_ADDRESS_ATTRIBUTE)?.value;
        addresses.set(String(record.body.ec2InstanceId), address ?? LOCAL_HOST_ADDRESS);
      }
      const invalid = ids.filter((id) => !addresses.has(id));
      if (invalid.length > 0) {
        throw new InvalidTargetException(
          `The following targets are not container instances registered with Berth: '${invalid.join("', '")}'`,
        );
      }
    }
    const refused = ownPortTargets(deps, state, wanted, (t) => addresses.get(t.id) ?? t.id);
    if (refused.length > 0) {
      throw new InvalidTargetException(
        `The following targets point at a port Berth itself serves on this host: ${refused.join(', ')}`,
      );
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
