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

function onResourceArn(action: string): Declare {
  return (input) => [{ action, resource: text(input.resourceArn) ?? '*' }];
}

const DECLARATIONS: Record<string, Declare> = {
  CreateLogGroup: onGroup('logs:CreateLogGroup'),
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
  TagResource: onResourceArn('logs:TagResource'),
  UntagResource: onResourceArn('logs:UntagResource'),
  ListTagsForResource: onResourceArn('logs:ListTagsForResource'),
  TagLogGroup: onGroup('logs:TagLogGroup'),
  UntagLogGroup: onGroup('logs:UntagLogGroup'),
  ListTagsLogGroup: onGroup('logs:ListTagsLogGroup'),
};

/** The access declarations of the CloudWatch Logs operations Berth implements, by operation name. */
export const logsAccess: Readonly<Record<string, DeclareAccess>> = DECLARATIONS as Record<string, DeclareAccess>;
