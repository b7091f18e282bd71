import type { AccessRequest, DeclareAccess } from '../shared/authorization.ts';
import { formatArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';

/**
 * What each CloudWatch Logs operation asks the access control for (AWS's Service Authorization
 * Reference for CloudWatch Logs): `logs:<Operation>` on the log group's ARN
 * (arn:aws:logs:REGION:ACCOUNT:log-group:NAME), the log stream's for stream-level calls, `*` for
 * DescribeLogGroups. Built from the input alone, so a declaration never fails.
 */

type Input = Record<string, unknown>;
type Declare = (input: Input, context: RequestContext) => AccessRequest[];

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function groupName(input: Input): string {
  const identifier = text(input.logGroupIdentifier);
  if (identifier?.startsWith('arn:'))
    return identifier.replace(/^arn:[^:]*:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '');
  return text(input.logGroupName) ?? identifier ?? '*';
}

function onGroup(action: string): Declare {
  return (input, context) => [{ action, resource: formatArn('logs', context, `log-group:${groupName(input)}`) }];
}

function onStream(action: string): Declare {
  return (input, context) => [
    {
      action,
      resource: formatArn(
        'logs',
        context,
        `log-group:${groupName(input)}:log-stream:${text(input.logStreamName) ?? '*'}`,
      ),
    },
  ];
}

/** aws:RequestTag/KEY and aws:TagKeys of the tags a call sets (Logs' { key: value }). */
function requestTags(tags: unknown): Record<string, string | string[]> {
  if (typeof tags !== 'object' || tags === null) return {};
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length === 0) return {};
  return {
    ...Object.fromEntries(entries.map(([key, value]) => [`aws:RequestTag/${key}`, text(value) ?? ''])),
    'aws:TagKeys': entries.map(([key]) => key),
  };
}

/** The tag keys a call removes (UntagResource's tagKeys, UntagLogGroup's tags). */
function removedKeys(keys: unknown): Record<string, string[]> {
  const list = Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  return list.length === 0 ? {} : { 'aws:TagKeys': list };
}

function withConditions(declare: Declare, conditionsOf: (input: Input) => Record<string, string | string[]>): Declare {
  return (input, context) => {
    const conditions = conditionsOf(input);
    if (Object.keys(conditions).length === 0) return declare(input, context);
    return declare(input, context).map((request) => ({ ...request, conditions }));
  };
}

function onResourceArn(action: string): Declare {
  return (input) => [{ action, resource: text(input.resourceArn) ?? '*' }];
}

const DECLARATIONS: Record<string, Declare> = {
  CreateLogGroup: withConditions(onGroup('logs:CreateLogGroup'), (input) => requestTags(input.tags)),
  DeleteLogGroup: onGroup('logs:DeleteLogGroup'),
  DescribeLogGroups: () => [{ action: 'logs:DescribeLogGroups', resource: '*' }],
  PutRetentionPolicy: onGroup('logs:PutRetentionPolicy'),
  DeleteRetentionPolicy: onGroup('logs:DeleteRetentionPolicy'),
  PutLogGroupDeletionProtection: onGroup('logs:PutLogGroupDeletionProtection'),
  CreateLogStream: onStream('logs:CreateLogStream'),
  DeleteLogStream: onStream('logs:DeleteLogStream'),
  DescribeLogStreams: onGroup('logs:DescribeLogStreams'),
  PutLogEvents: onStream('logs:PutLogEvents'),
  GetLogEvents: onStream('logs:GetLogEvents'),
  FilterLogEvents: onGroup('logs:FilterLogEvents'),
  TagResource: withConditions(onResourceArn('logs:TagResource'), (input) => requestTags(input.tags)),
  UntagResource: withConditions(onResourceArn('logs:UntagResource'), (input) => removedKeys(input.tagKeys)),
  ListTagsForResource: onResourceArn('logs:ListTagsForResource'),
  TagLogGroup: withConditions(onGroup('logs:TagLogGroup'), (input) => requestTags(input.tags)),
  UntagLogGroup: withConditions(onGroup('logs:UntagLogGroup'), (input) => removedKeys(input.tags)),
  ListTagsLogGroup: onGroup('logs:ListTagsLogGroup'),
  PutMetricFilter: onGroup('logs:PutMetricFilter'),
  DescribeMetricFilters: onGroup('logs:DescribeMetricFilters'),
  DeleteMetricFilter: onGroup('logs:DeleteMetricFilter'),
  TestMetricFilter: () => [{ action: 'logs:TestMetricFilter', resource: '*' }],
};

/** The access declarations of the CloudWatch Logs operations Berth implements, by operation name. */
export const logsAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
