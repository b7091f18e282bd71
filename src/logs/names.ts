import { formatArn, parseArn, type ArnScope } from '../shared/arn.ts';
import { InvalidParameterException, ResourceNotFoundException } from './errors.ts';

/*
 * Log group and stream names, and the ARNs of both. The model's patterns check names on the API;
 * the in-process appender (append-log-events.ts) checks them here.
 */

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME_FORBIDDEN = /[:*]/;

export function checkLogGroupName(name: string): void {
  if (!GROUP_NAME.test(name)) {
    throw new InvalidParameterException(
      `Invalid log group name '${name}': 1 to 512 characters of a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'.`,
    );
  }
  // AWS keeps names that start with "aws/" (without a leading slash) for itself.
  if (name.startsWith('aws/')) throw new InvalidParameterException("Log group names cannot start with 'aws/'.");
}

export function checkLogStreamName(name: string): void {
  if ([...name].length < 1 || [...name].length > 512 || STREAM_NAME_FORBIDDEN.test(name)) {
    throw new InvalidParameterException(`Invalid log stream name '${name}': 1 to 512 characters, neither ':' nor '*'.`);
  }
}

/** The group's ARN as tagging and logGroupIdentifier take it (no trailing ':*'). */
export function logGroupArn(scope: ArnScope, name: string): string {
  return formatArn('logs', scope, `log-group:${name}`);
}

export function logStreamArn(scope: ArnScope, groupName: string, streamName: string): string {
  return formatArn('logs', scope, `log-group:${groupName}:log-stream:${streamName}`);
}

/** The log group an ARN names (with or without the trailing ':*'), if it is one of this account's. */
export function groupNameOfArn(arn: string, scope: ArnScope): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'logs' || !parsed.resource.startsWith('log-group:')) return undefined;
  if (parsed.accountId !== scope.accountId || parsed.region !== scope.region) return undefined;
  const name = parsed.resource.slice('log-group:'.length);
  return name.endsWith(':*') ? name.slice(0, -2) : name;
}

/**
 * The group a read names: exactly one of logGroupName and logGroupIdentifier (a name or an ARN),
 * as DescribeLogStreams, GetLogEvents and FilterLogEvents require.
 */
export function requestedGroupName(
  input: { logGroupName?: string; logGroupIdentifier?: string },
  scope: ArnScope,
): string {
  const { logGroupName, logGroupIdentifier } = input;
  if (logGroupName !== undefined && logGroupIdentifier !== undefined) {
    throw new InvalidParameterException('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (logGroupName !== undefined) return logGroupName;
  if (logGroupIdentifier === undefined) {
    throw new InvalidParameterException('Should provide either logGroupName or logGroupIdentifier.');
  }
  if (!logGroupIdentifier.startsWith('arn:')) return logGroupIdentifier;
  const name = groupNameOfArn(logGroupIdentifier, scope);
  if (name === undefined) throw ResourceNotFoundException.logGroup();
  return name;
}
