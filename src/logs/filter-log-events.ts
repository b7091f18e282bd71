import type { RequestContext } from '../shared/request-context.ts';
import type { LogEventPosition, LogEventQuery, LogEventRecord } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import { after, decodeFilterToken, encodeFilterToken, formatEventId } from './event-tokens.ts';
import { compileFilterPattern, type MessageMatcher } from './filter-pattern.ts';
import { END_OF_TIME, MAX_PAGE_BYTES, MAX_PAGE_EVENTS } from './get-log-events.ts';
import { requireLogGroup, type LogsDeps } from './log-groups.ts';
import { requestedGroupName } from './names.ts';
import { retentionStart } from './retention.ts';
import type { FilterLogEventsRequest, FilterLogEventsResponse, FilteredLogEvent } from './shapes.generated.ts';

/*
 * FilterLogEvents: the group's events (or some streams'), interleaved in (timestamp, seq) order,
 * matched against the filter pattern. A call reads batches until its page is full or it has
 * searched SCAN_BUDGET events; as on AWS, a page may then be partial, even empty, and nextToken
 * is present while there may be more.
 */

const BATCH = 1000;
const SCAN_BUDGET = 100_000;

interface Scan {
  readonly matched: LogEventRecord[];
  /** Where the next call continues; undefined when every event was searched. */
  readonly resumeAt: LogEventPosition | undefined;
}

/** Reads from `from` on, keeping matching events until `limit` or the byte or scan budget. */
export async function scanEvents(
  read: (from: LogEventPosition, limit: number) => Promise<LogEventRecord[]>,
  options: { from: LogEventPosition; matches: MessageMatcher; limit: number; scanBudget?: number },
): Promise<Scan> {
  const matched: LogEventRecord[] = [];
  let from = options.from;
  let bytes = 0;
  let scanned = 0;
  for (;;) {
    const batch = await read(from, BATCH);
    for (const [i, event] of batch.entries()) {
      from = after(event);
      if (!options.matches(event.message)) continue;
      matched.push(event);
      bytes += Buffer.byteLength(event.message, 'utf8');
      const full = matched.length >= options.limit || bytes >= MAX_PAGE_BYTES;
      // A full page at the very end of the events needs no token.
      if (full) return { matched, resumeAt: i === batch.length - 1 && batch.length < BATCH ? undefined : from };
    }
    scanned += batch.length;
    if (batch.length < BATCH) return { matched, resumeAt: undefined };
    if (scanned >= (options.scanBudget ?? SCAN_BUDGET)) return { matched, resumeAt: from };
  }
}

export async function filterLogEvents(
  deps: LogsDeps,
  input: FilterLogEventsRequest,
  context: RequestContext,
): Promise<FilterLogEventsResponse> {
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterException('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  }
  const matches = compileFilterPattern(input.filterPattern ?? '');
  const group = await requireLogGroup(deps.store, requestedGroupName(input, context));
  // startTime and endTime are both inclusive here (GetLogEvents' endTime is exclusive).
  const startTime = Math.max(input.startTime ?? 0, retentionStart(group, deps.clock.now().getTime()));
  const endTime = input.endTime === undefined ? END_OF_TIME : input.endTime + 1;
  const query: Omit<LogEventQuery, 'from' | 'limit'> = {
    streamNames: input.logStreamNames,
    streamNamePrefix: input.logStreamNamePrefix,
    descending: false,
    startTime,
    endTime,
  };
  const from = input.nextToken === undefined ? { timestamp: startTime, seq: 0 } : decodeFilterToken(input.nextToken);
  const scan =
    endTime <= startTime
      ? { matched: [], resumeAt: undefined }
      : await scanEvents(
          (position, limit) => deps.store.logs.queryEvents(group.name, { ...query, from: position, limit }),
          {
            from,
            matches,
            limit: input.limit ?? MAX_PAGE_EVENTS,
          },
        );
  return {
    events: scan.matched.map((e): FilteredLogEvent => ({
      logStreamName: e.streamName,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: formatEventId(e),
    })),
    // No longer supported by AWS either: always empty.
    searchedLogStreams: [],
    ...(scan.resumeAt ? { nextToken: encodeFilterToken(scan.resumeAt) } : {}),
  };
}
