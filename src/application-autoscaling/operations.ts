import { describeScalingActivities } from './activities.ts';
import type { AutoScalingDeps } from './deps.ts';
import { deregisterScalableTarget, describeScalableTargets, registerScalableTarget } from './scalable-targets.ts';
import { deleteScalingPolicy, describeScalingPolicies, putScalingPolicy } from './scaling-policies.ts';
import { deleteScheduledAction, describeScheduledActions, putScheduledAction } from './scheduled-actions.ts';
import type { ApplicationAutoScalingApi } from './shapes.generated.ts';
import { listTagsForResource, tagResource, untagResource } from './tags.ts';

/** The Application Auto Scaling operations Berth implements, by their AWS names. */
export function applicationAutoScalingOperations(deps: AutoScalingDeps): Partial<ApplicationAutoScalingApi> {
  return {
    RegisterScalableTarget: (input) => registerScalableTarget(deps, input),
    DeregisterScalableTarget: (input) => deregisterScalableTarget(deps, input),
    DescribeScalableTargets: (input) => describeScalableTargets(deps, input),
    PutScalingPolicy: (input) => putScalingPolicy(deps, input),
    DescribeScalingPolicies: (input) => describeScalingPolicies(deps, input),
    DeleteScalingPolicy: (input) => deleteScalingPolicy(deps, input),
    PutScheduledAction: (input) => putScheduledAction(deps, input),
    DescribeScheduledActions: (input) => describeScheduledActions(deps, input),
    DeleteScheduledAction: (input) => deleteScheduledAction(deps, input),
    DescribeScalingActivities: (input) => describeScalingActivities(deps, input),
    TagResource: (input) => tagResource(deps, input),
    UntagResource: (input) => untagResource(deps, input),
    ListTagsForResource: (input) => listTagsForResource(deps, input),
  };
}
