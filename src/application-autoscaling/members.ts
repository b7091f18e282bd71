import { under, type MemberTable } from '../shared/member-classification.ts';

/* What each Application Auto Scaling operation does with each input member (shared/member-classification.ts). */

const TARGET = ['ServiceNamespace', 'ResourceId', 'ScalableDimension'];
const PAGE = ['MaxResults', 'NextToken'];
const TT = 'TargetTrackingScalingPolicyConfiguration';

export const applicationAutoScalingMembers: MemberTable = {
  RegisterScalableTarget: {
    acted: [
      ...TARGET,
      'MinCapacity',
      'MaxCapacity',
      'Tags',
      ...under('SuspendedState', [
        'DynamicScalingInSuspended',
        'DynamicScalingOutSuspended',
        'ScheduledScalingSuspended',
      ]),
    ],
    rules: {
      RoleARN: { inert: 'Berth changes the service itself: no role is assumed, the service-linked role is shown' },
    },
  },
  DeregisterScalableTarget: { acted: TARGET },
  DescribeScalableTargets: { acted: ['ServiceNamespace', 'ResourceIds', 'ScalableDimension', ...PAGE] },
  PutScalingPolicy: {
    acted: [
      'PolicyName',
      ...TARGET,
      'PolicyType',
      ...under('StepScalingPolicyConfiguration', [
        'AdjustmentType',
        'StepAdjustments[].MetricIntervalLowerBound',
        'StepAdjustments[].MetricIntervalUpperBound',
        'StepAdjustments[].ScalingAdjustment',
        'MinAdjustmentMagnitude',
        'Cooldown',
      ]),
      ...under(TT, [
        'TargetValue',
        'PredefinedMetricSpecification.PredefinedMetricType',
        'PredefinedMetricSpecification.ResourceLabel',
        'CustomizedMetricSpecification.MetricName',
        'CustomizedMetricSpecification.Namespace',
        'CustomizedMetricSpecification.Dimensions[].Name',
        'CustomizedMetricSpecification.Dimensions[].Value',
        'CustomizedMetricSpecification.Statistic',
        'CustomizedMetricSpecification.Unit',
        'ScaleOutCooldown',
        'ScaleInCooldown',
        'DisableScaleIn',
      ]),
    ],
    rules: {
      'StepScalingPolicyConfiguration.MetricAggregationType': {
        inert: "the alarm's newest datapoint, in the alarm's own statistic, is the value the steps are read against",
      },
      [`${TT}.CustomizedMetricSpecification.Metrics`]: {
        refused: 'the target tracking alarms would not evaluate the metric math',
        issue: 19,
      },
      PredictiveScalingPolicyConfiguration: { refused: 'no forecast would scale the service', issue: 19 },
    },
  },
  DescribeScalingPolicies: { acted: ['PolicyNames', ...TARGET, ...PAGE] },
  DeleteScalingPolicy: { acted: ['PolicyName', ...TARGET] },
  PutScheduledAction: {
    acted: [
      ...TARGET,
      'Schedule',
      'Timezone',
      'ScheduledActionName',
      'StartTime',
      'EndTime',
      'ScalableTargetAction.MinCapacity',
      'ScalableTargetAction.MaxCapacity',
    ],
  },
  DescribeScheduledActions: { acted: ['ScheduledActionNames', ...TARGET, ...PAGE] },
  DeleteScheduledAction: { acted: ['ScheduledActionName', ...TARGET] },
  DescribeScalingActivities: {
    acted: [...TARGET, ...PAGE],
    rules: {
      IncludeNotScaledActivities: {
        inert: 'Berth records only the activities that scaled or failed, so there are no not-scaled ones to include',
      },
    },
  },
  TagResource: { acted: ['ResourceARN', 'Tags'] },
  UntagResource: { acted: ['ResourceARN', 'TagKeys'] },
  ListTagsForResource: { acted: ['ResourceARN'] },
};
