import type { RequestContext } from '../shared/request-context.ts';
import type { LogEventPosition, LogEventRecord } from '../store/index.ts';
import { ResourceNotFoundException } from './errors.ts';
import { after, formatStreamToken, parseStreamToken, type Direction } from './event-tokens.ts';
import { requireLogGroup, type LogsDeps } from './log-groups.ts';
import { requestedGroupName } from './names.ts';
import { retentionStart } from './retention.ts';
import type { GetLogEventsRequest, GetLogEventsResponse } from './shapes.generated.ts';

/** A page holds at most 10,000 events and 1 MB of messages. */
export const MAX_PAGE_EVENTS = 10_000;
export const MAX_PAGE_BYTES = 1_048_576;
/** An endTime past any event. */
export const END_OF_TIME = Number.MAX_SAFE_INTEGER;

export interface StreamPage {
  /** Oldest first. */
  readonly events: LogEventRecord[];
  readonly nextForwardToken: string;
  readonly nextBackwardToken: string;
}

/**
 * The tokens of a page, as AWS forms them: forward from just after its last event, backward from
 * its first. An empty page answers the token it was given (that is how callers know they reached
 * the end) and the same position in the other direction.
 */
export function pageTokens(
  events: readonly LogEventRecord[],
  request: { token: string | undefined; direction: Direction; from: LogEventPosition; otherEnd: LogEventPosition },
): { nextForwardToken: string; nextBackwardToken: string } {
  const first = events[0];
  const last = events.at(-1);
  if (first && last) {
    return {
      nextForwardToken: formatStreamToken('forward', after(last)),
      nextBackwardToken: formatStreamToken('backward', first),
    };
  }
  const same = request.token ?? formatStreamToken(request.direction, request.from);
  const other = formatStreamToken(
    request.direction === 'forward' ? 'backward' : 'forward',
    request.token === undefined ? request.otherEnd : request.from,
  );
  return request.direction === 'forward'
    ? { nextForwardToken: same, nextBackwardToken: other }
    : { nextForwardToken: other, nextBackwardToken: same };
}

/** Keeps events (in the order read) while they fit in a page's byte budget. */
export function fitPage(events: readonly LogEventRecord[], maxBytes = MAX_PAGE_BYTES): LogEventRecord[] {
  let bytes = 0;
  let n = 0;
  for (; n < events.length; n++) {
    bytes += Buffer.byteLength(events[n]!.message, 'utf8');
    if (bytes > maxBytes && n > 0) break;
  }
  return events.slice(0, n);
}

export async function getLogEvents(
  deps: LogsDeps,
  input: GetLogEventsRequest,
  context: RequestContext,
): Promise<GetLogEventsResponse> {
  const group = await requireLogGroup(deps.store, requestedGroupName(input, context));
  const stream = await deps.store.logs.getStream(group.name, input.logStreamName);
  if (!stream) throw ResourceNotFoundException.logStream();
  // Events past the group's retention are gone, whether or not they were pruned yet.
  const startTime = Math.max(input.startTime ?? 0, retentionStart(group, deps.clock.now().getTime()));
  const endTime = input.endTime ?? END_OF_TIME;
  const token = input.nextToken === undefined ? undefined : parseStreamToken(input.nextToken);
  // Without a token, startFromHead picks the end to read from (the tail by default).
  const direction: Direction = token?.direction ?? (input.startFromHead ? 'forward' : 'backward');
  const head = { timestamp: startTime, seq: 0 };
  const tail = { timestamp: endTime, seq: 0 };
  const from = token?.position ?? (direction === 'forward' ? head : tail);
  const read =
    endTime <= startTime
      ? []
      : await deps.store.logs.queryEvents(group.name, {
          streamNames: [stream.name],
          from,
          descending: direction === 'backward',
          startTime,
          endTime,
          limit: input.limit ?? MAX_PAGE_EVENTS,
        });
  const page = fitPage(read);
  if (direction === 'backward') page.reverse();
  const tokens = pageTokens(page, {
    token: input.nextToken,
    direction,
    from,
    otherEnd: direction === 'forward' ? tail : head,
  });
  return {
    events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    ...tokens,
  };
}
