import type { RequestContext } from '../shared/request-context.ts';
import { attributeList, defaultAttributes, modifiedAttributes, TARGET_GROUP_ATTRIBUTES } from './attributes.ts';
import { commit, type ElbDeps } from './commit.ts';
import {
  DuplicateTargetGroupNameException,
  InvalidConfigurationRequestException,
  ResourceInUseException,
  TargetGroupNotFoundException,
  TooManyTargetGroupsException,
  ValidationError,
} from './errors.ts';
import { healthCheckSettings } from './health-checks.ts';
import { requireLoadBalancer } from './load-balancers.ts';
import { checkTargetGroupName, targetGroupArn } from './names.ts';
import { paginate } from './pagination.ts';
import type {
  CreateTargetGroupInput,
  CreateTargetGroupOutput,
  DeleteTargetGroupInput,
  DeleteTargetGroupOutput,
  DescribeTargetGroupAttributesInput,
  DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsInput,
  DescribeTargetGroupsOutput,
  ModifyTargetGroupAttributesInput,
  ModifyTargetGroupAttributesOutput,
  ModifyTargetGroupInput,
  ModifyTargetGroupOutput,
  TargetGroup,
} from './shapes.generated.ts';
import { loadBalancersByTargetGroup, loadState, type ElbState, type TargetGroupState } from './state.ts';
import { checkNewTags } from './tags.ts';

/** ELBv2's default quota of target groups per region. */
const MAX_TARGET_GROUPS = 3000;

export function requireTargetGroup(state: ElbState, arn: string): TargetGroupState {
  const group = state.targetGroups.get(arn);
  if (!group) throw new TargetGroupNotFoundException(`Target groups '${arn}' not found`);
  return group;
}

export function targetGroupView(group: TargetGroupState, state: ElbState): TargetGroup {
  const loadBalancers = loadBalancersByTargetGroup(state).get(group.arn) ?? new Set<string>();
  return { ...group.view, LoadBalancerArns: [...loadBalancers].sort() };
}

/**
 * Berth's load balancers speak HTTP/1.1 to targets that are container instances or IP addresses:
 * HTTPS (TLS to the targets), gRPC/HTTP2 and Lambda or ALB targets are refused plainly.
 */
function checkSupported(input: CreateTargetGroupInput): void {
  const type = input.TargetType ?? 'instance';
  if (type !== 'instance' && type !== 'ip') {
    throw new InvalidConfigurationRequestException(
      `Berth supports target types 'instance' and 'ip' only: target type '${type}' is not supported`,
    );
  }
  if (input.Protocol === undefined) throw new ValidationError('A protocol must be specified');
  if (input.Port === undefined) throw new ValidationError('A port must be specified');
  if (input.VpcId === undefined) throw new ValidationError('A VPC ID must be specified');
  if (input.Protocol !== 'HTTP') {
    throw new InvalidConfigurationRequestException(
      `Berth's target groups speak HTTP only: protocol '${input.Protocol}' is not supported`,
    );
  }
  if (input.ProtocolVersion !== undefined && input.ProtocolVersion !== 'HTTP1') {
    throw new InvalidConfigurationRequestException(
      `Berth's target groups speak HTTP/1.1 only: protocol version '${input.ProtocolVersion}' is not supported`,
    );
  }
  if (input.IpAddressType === 'ipv6')
    throw new InvalidConfigurationRequestException('IPv6 target groups are not supported');
}

export async function createTargetGroup(
  deps: ElbDeps,
  input: CreateTargetGroupInput,
  context: RequestContext,
): Promise<CreateTargetGroupOutput> {
  checkTargetGroupName(input.Name);
  checkSupported(input);
  const tags = checkNewTags(input.Tags);
  const {
    Name,
    Protocol,
    Port,
    VpcId,
    TargetType,
    Tags,
    IpAddressType,
    ProtocolVersion,
    TargetControlPort,
    ...health
  } = input;
  void Tags;
  void TargetControlPort;
  const wanted: Omit<TargetGroup, 'LoadBalancerArns'> = {
    TargetGroupName: Name,
    Protocol,
    Port,
    VpcId,
    ...healthCheckSettings({}, health),
    TargetType: TargetType ?? 'instance',
    ProtocolVersion: ProtocolVersion ?? 'HTTP1',
    IpAddressType: IpAddressType ?? 'ipv4',
  };
  return commit(deps, (state) => {
    const existing = [...state.targetGroups.values()].find((g) => g.name === Name);
    if (existing) {
      const { TargetGroupArn, ...settings } = existing.view;
      void TargetGroupArn;
      if (JSON.stringify(settings) === JSON.stringify(wanted))
        return { result: { TargetGroups: [targetGroupView(existing, state)] } };
      throw new DuplicateTargetGroupNameException(
        `A target group with the same name '${Name}' exists, but with different settings`,
      );
    }
    if (state.targetGroups.size >= MAX_TARGET_GROUPS)
      throw new TooManyTargetGroupsException(
        `The maximum number of target groups (${MAX_TARGET_GROUPS}) has been reached`,
      );
    const arn = targetGroupArn(context, Name);
    const group: TargetGroupState = {
      arn,
      name: Name,
      createdAt: deps.clock.now(),
      view: { TargetGroupArn: arn, ...wanted },
      attributes: defaultAttributes(TARGET_GROUP_ATTRIBUTES),
      targets: [],
      tags,
    };
    return { put: [group], result: { TargetGroups: [targetGroupView(group, state)] } };
  });
}

export async function describeTargetGroups(
  deps: ElbDeps,
  input: DescribeTargetGroupsInput,
): Promise<DescribeTargetGroupsOutput> {
  const state = await loadState(deps.store);
  const filters = [input.LoadBalancerArn, input.TargetGroupArns, input.Names].filter((f) => f !== undefined);
  if (filters.length > 1)
    throw new ValidationError('Specify only one of load balancer ARN, target group ARNs and target group names');
  let found = [...state.targetGroups.values()];
  if (input.TargetGroupArns !== undefined) {
    found = input.TargetGroupArns.map((arn) => requireTargetGroup(state, arn));
  } else if (input.Names !== undefined) {
    const missing = input.Names.filter((name) => !found.some((g) => g.name === name));
    if (missing.length > 0) throw new TargetGroupNotFoundException(`Target groups '[${missing.join(', ')}]' not found`);
    found = found.filter((g) => input.Names!.includes(g.name));
  } else if (input.LoadBalancerArn !== undefined) {
    requireLoadBalancer(state, input.LoadBalancerArn);
    const byGroup = loadBalancersByTargetGroup(state);
    found = found.filter((g) => byGroup.get(g.arn)?.has(input.LoadBalancerArn!));
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextMarker } = paginate(found, (g) => g.name, input);
  return {
    TargetGroups: page.map((g) => targetGroupView(g, state)),
    ...(nextMarker ? { NextMarker: nextMarker } : {}),
  };
}

export async function modifyTargetGroup(
  deps: ElbDeps,
  input: ModifyTargetGroupInput,
): Promise<ModifyTargetGroupOutput> {
  return commit(deps, (state) => {
    const group = requireTargetGroup(state, input.TargetGroupArn);
    const { TargetGroupArn, ...changes } = input;
    void TargetGroupArn;
    const next: TargetGroupState = { ...group, view: { ...group.view, ...healthCheckSettings(group.view, changes) } };
    return { put: [next], result: { TargetGroups: [targetGroupView(next, state)] } };
  });
}

/** A target group still forwarded to by a listener or rule cannot go. */
export async function deleteTargetGroup(
  deps: ElbDeps,
  input: DeleteTargetGroupInput,
): Promise<DeleteTargetGroupOutput> {
  return commit(deps, (state) => {
    const group = requireTargetGroup(state, input.TargetGroupArn);
    if (loadBalancersByTargetGroup(state).has(group.arn)) {
      throw new ResourceInUseException(`Target group '${group.arn}' is currently in use by a listener or a rule`);
    }
    return { remove: [group.arn], result: {} };
  });
}

export async function describeTargetGroupAttributes(
  deps: ElbDeps,
  input: DescribeTargetGroupAttributesInput,
): Promise<DescribeTargetGroupAttributesOutput> {
  const group = requireTargetGroup(await loadState(deps.store), input.TargetGroupArn);
  return { Attributes: attributeList({ ...defaultAttributes(TARGET_GROUP_ATTRIBUTES), ...group.attributes }) };
}

export async function modifyTargetGroupAttributes(
  deps: ElbDeps,
  input: ModifyTargetGroupAttributesInput,
): Promise<ModifyTargetGroupAttributesOutput> {
  return commit(deps, (state) => {
    const group = requireTargetGroup(state, input.TargetGroupArn);
    const attributes = modifiedAttributes(TARGET_GROUP_ATTRIBUTES, group.attributes, input.Attributes, 'Target group');
    return { put: [{ ...group, attributes }], result: { Attributes: attributeList(attributes) } };
  });
}
