import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';

/**
 * What each operation asks the access control for (Service Authorization Reference, "Application
 * Auto Scaling"): `application-autoscaling:<Operation>`, on the scalable target's ARN
 * (arn:aws:application-autoscaling:REGION:ACCOUNT:scalable-target/ID) for the tag operations and
 * `*` for the others (which name targets by resource ID, not ARN), with aws:RequestTag/* and
 * aws:TagKeys where tags are given.
 */

type Input = {
  readonly ResourceARN?: string;
  readonly Tags?: Readonly<Record<string, string>>;
  readonly TagKeys?: readonly string[];
};

function tagConditions(input: Input): Record<string, string | string[]> {
  const tags = Object.entries(input.Tags ?? {});
  const keys = input.TagKeys ?? tags.map(([key]) => key);
  if (keys.length === 0) return {};
  return { ...Object.fromEntries(tags.map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': [...keys] };
}

function access(operation: string, withTags = false): DeclareAccess {
  return ((input: Input): AccessRequest[] => {
    const conditions = withTags ? tagConditions(input) : {};
    return [
      {
        action: `application-autoscaling:${operation}`,
        resource: input.ResourceARN ?? '*',
        ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
      },
    ];
  }) as DeclareAccess;
}

const OPERATIONS = [
  'DeregisterScalableTarget',
  'DescribeScalableTargets',
  'PutScalingPolicy',
  'DescribeScalingPolicies',
  'DeleteScalingPolicy',
  'PutScheduledAction',
  'DescribeScheduledActions',
  'DeleteScheduledAction',
  'DescribeScalingActivities',
  'ListTagsForResource',
];

export const applicationAutoScalingAccess: Readonly<Record<string, DeclareAccess>> = {
  ...Object.fromEntries(OPERATIONS.map((operation) => [operation, access(operation)])),
  RegisterScalableTarget: access('RegisterScalableTarget', true),
  TagResource: access('TagResource', true),
  UntagResource: access('UntagResource', true),
};
