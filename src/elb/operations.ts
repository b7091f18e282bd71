import type { RequestContext } from '../shared/request-context.ts';
import type { ElbDeps } from './commit.ts';
import {
  addListenerCertificates,
  describeListenerCertificates,
  removeListenerCertificates,
} from './listener-certificates.ts';
import { describeSslPolicies } from './ssl-policies.ts';
import { deleteListener, createListener, describeListeners, modifyListener } from './listeners.ts';
import {
  createLoadBalancer,
  deleteLoadBalancer,
  describeLoadBalancerAttributes,
  describeLoadBalancers,
  modifyLoadBalancerAttributes,
} from './load-balancers.ts';
import { addTags, describeTags, removeTags } from './resource-tags.ts';
import { createRule, deleteRule, describeRules, modifyRule, setRulePriorities } from './rules.ts';
import type { ElbApi } from './shapes.generated.ts';
import {
  createTargetGroup,
  deleteTargetGroup,
  describeTargetGroupAttributes,
  describeTargetGroups,
  modifyTargetGroup,
  modifyTargetGroupAttributes,
} from './target-groups.ts';
import { deregisterTargets, describeTargetHealth, registerTargets } from './targets.ts';

/** The ELBv2 operations Berth implements, by their AWS names. The protocol layer answers the rest (501). */
export function elbOperations(deps: ElbDeps): Partial<ElbApi> {
  const withContext =
    <I, O>(fn: (deps: ElbDeps, input: I, context: RequestContext) => Promise<O>) =>
    (input: I, context: RequestContext) =>
      fn(deps, input, context);
  const plain =
    <I, O>(fn: (deps: ElbDeps, input: I) => Promise<O>) =>
    (input: I) =>
      fn(deps, input);
  return {
    CreateLoadBalancer: withContext(createLoadBalancer),
    DescribeLoadBalancers: plain(describeLoadBalancers),
    DeleteLoadBalancer: plain(deleteLoadBalancer),
    DescribeLoadBalancerAttributes: plain(describeLoadBalancerAttributes),
    ModifyLoadBalancerAttributes: plain(modifyLoadBalancerAttributes),
    CreateTargetGroup: withContext(createTargetGroup),
    DescribeTargetGroups: plain(describeTargetGroups),
    ModifyTargetGroup: plain(modifyTargetGroup),
    DeleteTargetGroup: plain(deleteTargetGroup),
    DescribeTargetGroupAttributes: plain(describeTargetGroupAttributes),
    ModifyTargetGroupAttributes: plain(modifyTargetGroupAttributes),
    CreateListener: plain(createListener),
    DescribeListeners: plain(describeListeners),
    ModifyListener: plain(modifyListener),
    DeleteListener: plain(deleteListener),
    AddListenerCertificates: plain(addListenerCertificates),
    RemoveListenerCertificates: plain(removeListenerCertificates),
    DescribeListenerCertificates: plain(describeListenerCertificates),
    DescribeSSLPolicies: (input) => describeSslPolicies(input),
    CreateRule: plain(createRule),
    DescribeRules: plain(describeRules),
    ModifyRule: plain(modifyRule),
    DeleteRule: plain(deleteRule),
    SetRulePriorities: plain(setRulePriorities),
    RegisterTargets: plain(registerTargets),
    DeregisterTargets: plain(deregisterTargets),
    DescribeTargetHealth: plain(describeTargetHealth),
    AddTags: plain(addTags),
    RemoveTags: plain(removeTags),
    DescribeTags: plain(describeTags),
  };
}
