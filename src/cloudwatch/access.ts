import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * What each CloudWatch operation asks the access control for (AWS's Service Authorization
 * Reference for CloudWatch): `cloudwatch:<Operation>`; metric operations on `*` (PutMetricData
 * with the cloudwatch:namespace condition key), alarm operations on each alarm's ARN
 * (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME), tag operations on the resource named.
 */
type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

export function alarmArn(scope: { region: string; accountId: string }, name: string): string {
  return formatArn('cloudwatch', scope, `alarm:${name}`);
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function anyResource(action: string): Declare {
  return () => [{ action, resource: '*' }];
}

function onAlarm(action: string, member = 'AlarmName'): Declare {
  return (input, context) => {
    const name = input[member];
    return [{ action, resource: typeof name === 'string' ? alarmArn(context, name) : '*' }];
  };
}

function onAlarms(action: string): Declare {
  return (input, context) => {
    const list = names(input.AlarmNames);
    return list.length === 0
      ? [{ action, resource: '*' }]
      : list.map((name) => ({ action, resource: alarmArn(context, name) }));
  };
}

function tagConditions(tags: unknown): Record<string, string | string[]> {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const pairs = tags.filter((t): t is { Key: string; Value: string } => typeof t === 'object' && t !== null);
  return {
    ...Object.fromEntries(pairs.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
    'aws:TagKeys': pairs.map((t) => t.Key),
  };
}

function withConditions(declare: Declare, conditionsOf: (input: Input) => Record<string, string | string[]>): Declare {
  return (input, context) => {
    const conditions = conditionsOf(input);
    if (Object.keys(conditions).length === 0) return declare(input, context);
    return declare(input, context).map((request) => ({ ...request, conditions }));
  };
}

function onResourceArn(action: string): Declare {
  return (input) => [{ action, resource: typeof input.ResourceARN === 'string' ? input.ResourceARN : '*' }];
}

const DECLARATIONS: Record<string, Declare> = {
  PutMetricData: withConditions(anyResource('cloudwatch:PutMetricData'), (input): Record<string, string> =>
    typeof input.Namespace === 'string' ? { 'cloudwatch:namespace': input.Namespace } : {},
  ),
  ListMetrics: anyResource('cloudwatch:ListMetrics'),
  GetMetricStatistics: anyResource('cloudwatch:GetMetricStatistics'),
  GetMetricData: anyResource('cloudwatch:GetMetricData'),
  PutMetricAlarm: withConditions(onAlarm('cloudwatch:PutMetricAlarm'), (input) => tagConditions(input.Tags)),
  PutCompositeAlarm: onAlarm('cloudwatch:PutCompositeAlarm'),
  DescribeAlarms: anyResource('cloudwatch:DescribeAlarms'),
  DescribeAlarmsForMetric: anyResource('cloudwatch:DescribeAlarmsForMetric'),
  DescribeAlarmHistory: (input, context) =>
    typeof input.AlarmName === 'string'
      ? onAlarm('cloudwatch:DescribeAlarmHistory')(input, context)
      : [{ action: 'cloudwatch:DescribeAlarmHistory', resource: '*' }],
  SetAlarmState: onAlarm('cloudwatch:SetAlarmState'),
  DeleteAlarms: onAlarms('cloudwatch:DeleteAlarms'),
  EnableAlarmActions: onAlarms('cloudwatch:EnableAlarmActions'),
  DisableAlarmActions: onAlarms('cloudwatch:DisableAlarmActions'),
  TagResource: withConditions(onResourceArn('cloudwatch:TagResource'), (input) => tagConditions(input.Tags)),
  UntagResource: withConditions(onResourceArn('cloudwatch:UntagResource'), (input): Record<string, string[]> => {
    const keys = names(input.TagKeys);
    return keys.length === 0 ? {} : { 'aws:TagKeys': keys };
  }),
  ListTagsForResource: onResourceArn('cloudwatch:ListTagsForResource'),
};

/** The access declarations of the CloudWatch operations Berth implements, by operation name. */
export const cloudWatchAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
