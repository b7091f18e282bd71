import type { ArnScope } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { LogStreamRecord } from '../store/index.ts';
import { InvalidParameterException, ResourceAlreadyExistsException, ResourceNotFoundException } from './errors.ts';
import { decodeListToken, encodeListToken } from './event-tokens.ts';
import { requestedGroupName, logStreamArn } from './names.ts';
import { requireDeletable, requireLogGroup, type LogsDeps } from './log-groups.ts';
import type {
  CreateLogStreamRequest,
  DeleteLogStreamRequest,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  LogStream,
} from './shapes.generated.ts';

export function newLogStream(name: string, createdAt: Date): LogStreamRecord {
  return {
    name,
    createdAt,
    firstEventTimestamp: undefined,
    lastEventTimestamp: undefined,
    lastIngestionTime: undefined,
    uploads: 0,
  };
}

/**
 * Sequence tokens are ignored by PutLogEvents now, but DescribeLogStreams and PutLogEvents still
 * return them: 56 digits counting the stream's uploads.
 */
export function sequenceToken(uploads: number): string {
  return String(uploads).padStart(56, '0');
}

export async function createLogStream(deps: LogsDeps, input: CreateLogStreamRequest): Promise<void> {
  const outcome = await deps.store.logs.createStream(
    input.logGroupName,
    newLogStream(input.logStreamName, deps.clock.now()),
  );
  if (outcome === 'no-group') throw ResourceNotFoundException.logGroup();
  if (outcome === 'exists') throw ResourceAlreadyExistsException.logStream();
}

export async function deleteLogStream(deps: LogsDeps, input: DeleteLogStreamRequest): Promise<void> {
  requireDeletable(await requireLogGroup(deps.store, input.logGroupName));
  if (!(await deps.store.logs.deleteStream(input.logGroupName, input.logStreamName))) {
    throw ResourceNotFoundException.logStream();
  }
}

export async function describeLogStreams(
  deps: LogsDeps,
  input: DescribeLogStreamsRequest,
  context: RequestContext,
): Promise<DescribeLogStreamsResponse> {
  const groupName = requestedGroupName(input, context);
  const orderBy = input.orderBy === 'LastEventTime' ? 'lastEventTime' : 'name';
  if (orderBy === 'lastEventTime' && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterException('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  await requireLogGroup(deps.store, groupName);
  const limit = input.limit ?? 50;
  const streams = await deps.store.logs.listStreams(groupName, {
    namePrefix: input.logStreamNamePrefix,
    orderBy,
    descending: input.descending ?? false,
    after: afterKey(input.nextToken),
    limit: limit + 1,
  });
  const page = streams.slice(0, limit);
  const last = page.at(-1);
  return {
    logStreams: page.map((stream) => describeLogStream(groupName, stream, context)),
    ...(streams.length > limit && last
      ? { nextToken: encodeListToken({ name: last.name, lastEventTimestamp: last.lastEventTimestamp ?? 0 }) }
      : {}),
  };
}

function afterKey(token: string | undefined): { name: string; lastEventTimestamp: number } | undefined {
  const key = decodeListToken(token);
  if (key === undefined) return undefined;
  if (typeof key.name !== 'string' || typeof key.lastEventTimestamp !== 'number') {
    throw new InvalidParameterException('The specified nextToken is invalid.');
  }
  return { name: key.name, lastEventTimestamp: key.lastEventTimestamp };
}

export function describeLogStream(groupName: string, stream: LogStreamRecord, scope: ArnScope): LogStream {
  return {
    logStreamName: stream.name,
    creationTime: stream.createdAt.getTime(),
    ...(stream.firstEventTimestamp !== undefined
      ? {
          firstEventTimestamp: stream.firstEventTimestamp,
          lastEventTimestamp: stream.lastEventTimestamp!,
          lastIngestionTime: stream.lastIngestionTime!,
        }
      : {}),
    ...(stream.uploads > 0 ? { uploadSequenceToken: sequenceToken(stream.uploads) } : {}),
    arn: logStreamArn(scope, groupName, stream.name),
    // AWS reports 0 for streams since 2019; a group's storedBytes is what counts.
    storedBytes: 0,
  };
}
