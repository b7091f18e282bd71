import type { RequestContext } from '../shared/request-context.ts';
import { attributeList, defaultAttributes, LOAD_BALANCER_ATTRIBUTES, modifiedAttributes } from './attributes.ts';
import { commit, type ElbDeps } from './commit.ts';
import {
  DuplicateLoadBalancerNameException,
  LoadBalancerNotFoundException,
  OperationNotPermittedException,
  TooManyLoadBalancersException,
  ValidationError,
} from './errors.ts';
import {
  berthVpcId,
  canonicalHostedZoneId,
  checkLoadBalancerName,
  defaultSecurityGroupId,
  defaultSubnetId,
  dnsName,
  loadBalancerArn,
} from './names.ts';
import { paginate } from './pagination.ts';
import type {
  AvailabilityZone,
  CreateLoadBalancerInput,
  CreateLoadBalancerOutput,
  DeleteLoadBalancerInput,
  DeleteLoadBalancerOutput,
  DescribeLoadBalancerAttributesInput,
  DescribeLoadBalancerAttributesOutput,
  DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput,
  LoadBalancer,
  ModifyLoadBalancerAttributesInput,
  ModifyLoadBalancerAttributesOutput,
} from './shapes.generated.ts';
import { listenersOf, loadState, rulesOf, type ElbState, type LoadBalancerState } from './state.ts';
import { checkNewTags } from './tags.ts';

/** ELBv2's default quota of Application Load Balancers per region. */
const MAX_LOAD_BALANCERS = 50;
const ZONE_LETTERS = 'abcdef';

export function loadBalancerView(lb: LoadBalancerState): LoadBalancer {
  return { ...lb.view, CreatedTime: lb.createdAt };
}

export function requireLoadBalancer(state: ElbState, arn: string): LoadBalancerState {
  const lb = state.loadBalancers.get(arn);
  if (!lb) throw new LoadBalancerNotFoundException(`Load balancer '${arn}' not found`);
  return lb;
}

/** No EC2 here: subnets are echoed, each in the region's next zone (two default ones without any). */
function availabilityZones(input: CreateLoadBalancerInput, context: RequestContext): AvailabilityZone[] {
  if (input.Subnets !== undefined && input.SubnetMappings !== undefined)
    throw new ValidationError('You can specify subnets or subnet mappings, but not both');
  const subnets = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId ?? '');
  if (subnets.some((s) => s === '')) throw new ValidationError('A subnet ID must be specified in each subnet mapping');
  if (new Set(subnets).size !== subnets.length) throw new ValidationError('Subnets must be unique');
  const zone = (i: number): string => `${context.region}${ZONE_LETTERS[i % ZONE_LETTERS.length]}`;
  if (subnets.length === 0) {
    return [0, 1].map((i) => ({
      ZoneName: zone(i),
      SubnetId: defaultSubnetId(context, zone(i)),
      LoadBalancerAddresses: [],
    }));
  }
  return subnets.map((SubnetId, i) => ({ ZoneName: zone(i), SubnetId, LoadBalancerAddresses: [] }));
}

function sameSettings(lb: LoadBalancerState, wanted: Omit<LoadBalancer, 'CreatedTime'>): boolean {
  const key = (v: Omit<LoadBalancer, 'CreatedTime'>): string =>
    JSON.stringify([
      v.Type,
      v.Scheme,
      v.IpAddressType,
      (v.AvailabilityZones ?? []).map((z) => z.SubnetId).sort(),
      [...(v.SecurityGroups ?? [])].sort(),
    ]);
  return key(lb.view) === key(wanted);
}

export async function createLoadBalancer(
  deps: ElbDeps,
  input: CreateLoadBalancerInput,
  context: RequestContext,
): Promise<CreateLoadBalancerOutput> {
  checkLoadBalancerName(input.Name);
  const type = input.Type ?? 'application';
  if (type !== 'application') {
    throw new OperationNotPermittedException(
      `Berth runs Application Load Balancers only: load balancer type '${type}' is not supported`,
    );
  }
  const scheme = input.Scheme ?? 'internet-facing';
  const tags = checkNewTags(input.Tags);
  const wanted: Omit<LoadBalancer, 'CreatedTime'> = {
    LoadBalancerName: input.Name,
    DNSName: '',
    CanonicalHostedZoneId: canonicalHostedZoneId(context.region),
    Scheme: scheme,
    VpcId: berthVpcId(context),
    State: { Code: 'active' },
    Type: 'application',
    AvailabilityZones: availabilityZones(input, context),
    SecurityGroups: input.SecurityGroups ?? [defaultSecurityGroupId(context)],
    IpAddressType: input.IpAddressType ?? 'ipv4',
  };
  return commit(deps, (state) => {
    const existing = [...state.loadBalancers.values()].find((lb) => lb.name === input.Name);
    if (existing) {
      // Idempotent: the same name with the same settings answers the load balancer there is.
      if (sameSettings(existing, wanted)) return { result: { LoadBalancers: [loadBalancerView(existing)] } };
      throw new DuplicateLoadBalancerNameException(
        `A load balancer with the same name '${input.Name}' exists, but with different settings`,
      );
    }
    if (state.loadBalancers.size >= MAX_LOAD_BALANCERS)
      throw new TooManyLoadBalancersException(
        `The maximum number of load balancers (${MAX_LOAD_BALANCERS}) has been reached`,
      );
    const arn = loadBalancerArn(context, input.Name);
    const lb: LoadBalancerState = {
      arn,
      name: input.Name,
      createdAt: deps.clock.now(),
      view: { ...wanted, LoadBalancerArn: arn, DNSName: dnsName(input.Name, context.region, scheme === 'internal') },
      attributes: defaultAttributes(LOAD_BALANCER_ATTRIBUTES),
      tags,
    };
    return { put: [lb], result: { LoadBalancers: [loadBalancerView(lb)] } };
  });
}

export async function describeLoadBalancers(
  deps: ElbDeps,
  input: DescribeLoadBalancersInput,
): Promise<DescribeLoadBalancersOutput> {
  const state = await loadState(deps.store);
  let found = [...state.loadBalancers.values()];
  if (input.LoadBalancerArns !== undefined && input.Names !== undefined)
    throw new ValidationError('Load balancer names and load balancer ARNs cannot be specified at the same time');
  if (input.LoadBalancerArns !== undefined) {
    found = input.LoadBalancerArns.map((arn) => requireLoadBalancer(state, arn));
  } else if (input.Names !== undefined) {
    const missing = input.Names.filter((name) => !found.some((lb) => lb.name === name));
    if (missing.length > 0)
      throw new LoadBalancerNotFoundException(`Load balancers '[${missing.join(', ')}]' not found`);
    found = found.filter((lb) => input.Names!.includes(lb.name));
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextMarker } = paginate(found, (lb) => lb.name, input);
  return { LoadBalancers: page.map(loadBalancerView), ...(nextMarker ? { NextMarker: nextMarker } : {}) };
}

/** Deletes the load balancer with its listeners and rules; deleting one that is gone succeeds. */
export async function deleteLoadBalancer(
  deps: ElbDeps,
  input: DeleteLoadBalancerInput,
): Promise<DeleteLoadBalancerOutput> {
  return commit(deps, (state) => {
    const lb = state.loadBalancers.get(input.LoadBalancerArn);
    if (!lb) return { result: {} };
    if (lb.attributes['deletion_protection.enabled'] === 'true') {
      throw new OperationNotPermittedException(
        `Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`,
      );
    }
    const listeners = listenersOf(state, lb.arn);
    const rules = listeners.flatMap((l) => rulesOf(state, l.arn));
    return { remove: [lb.arn, ...listeners.map((l) => l.arn), ...rules.map((r) => r.arn)], result: {} };
  });
}

export async function describeLoadBalancerAttributes(
  deps: ElbDeps,
  input: DescribeLoadBalancerAttributesInput,
): Promise<DescribeLoadBalancerAttributesOutput> {
  const lb = requireLoadBalancer(await loadState(deps.store), input.LoadBalancerArn);
  return { Attributes: attributeList({ ...defaultAttributes(LOAD_BALANCER_ATTRIBUTES), ...lb.attributes }) };
}

export async function modifyLoadBalancerAttributes(
  deps: ElbDeps,
  input: ModifyLoadBalancerAttributesInput,
): Promise<ModifyLoadBalancerAttributesOutput> {
  return commit(deps, (state) => {
    const lb = requireLoadBalancer(state, input.LoadBalancerArn);
    const attributes = modifiedAttributes(LOAD_BALANCER_ATTRIBUTES, lb.attributes, input.Attributes, 'Load balancer');
    return { put: [{ ...lb, attributes }], result: { Attributes: attributeList(attributes) } };
  });
}
