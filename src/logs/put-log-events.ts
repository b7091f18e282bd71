import type { NewLogEvent } from '../store/index.ts';
import { InvalidParameterException, ResourceNotFoundException } from './errors.ts';
import { publishFilterMetrics } from './filter-metrics.ts';
import { requireLogGroup, type LogsDeps } from './log-groups.ts';
import { sequenceToken } from './log-streams.ts';
import { DAY_MS, retentionStart } from './retention.ts';
import type {
  InputLogEvent,
  PutLogEventsRequest,
  PutLogEventsResponse,
  RejectedLogEventsInfo,
} from './shapes.generated.ts';

/*
 * PutLogEvents' batch rules, as AWS documents them today. Sequence tokens are ignored (no
 * InvalidSequenceTokenException or DataAlreadyAcceptedException any more). A batch out of
 * chronological order, too large, or whose valid events span more than 24 hours fails; events
 * too old (14 days, or before the group's retention) or too new (2 hours ahead) are rejected and
 * reported in rejectedLogEventsInfo while the others are stored.
 */

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
/** What each event adds to a batch's size, besides its message's UTF-8 bytes. */
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_AGE_MS = 14 * DAY_MS;
export const MAX_AHEAD_MS = 2 * 60 * 60 * 1000;
export const MAX_SPAN_MS = DAY_MS;

export interface CheckedBatch {
  /** The events to store, in order. */
  readonly accepted: NewLogEvent[];
  /** Exclusive end indices for too old and expired events, the inclusive start index for too new ones. */
  readonly rejected: RejectedLogEventsInfo | undefined;
}

export function batchBytes(events: readonly InputLogEvent[]): number {
  let bytes = 0;
  for (const event of events) bytes += Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
  return bytes;
}

/** Applies the batch rules at time `now` for a group that keeps events from `keepsFrom` on. */
export function checkBatch(
  events: readonly InputLogEvent[],
  options: { now: number; keepsFrom: number },
): CheckedBatch {
  if (events.length > MAX_BATCH_EVENTS) {
    throw new InvalidParameterException(`A batch holds at most ${MAX_BATCH_EVENTS} log events, not ${events.length}.`);
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) {
      throw new InvalidParameterException(
        'Log events in a single PutLogEvents request must be in chronological order.',
      );
    }
  }
  const bytes = batchBytes(events);
  if (bytes > MAX_BATCH_BYTES) {
    throw new InvalidParameterException(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  }
  // In chronological order, the rejected events are a prefix (too old, expired) and a suffix (too new).
  const tooOldEnd = countWhile(events, (e) => e.timestamp < options.now - MAX_AGE_MS);
  const expiredEnd = countWhile(events, (e) => e.timestamp < options.keepsFrom);
  const tooNewStart = events.length - countWhileFromEnd(events, (e) => e.timestamp > options.now + MAX_AHEAD_MS);
  const accepted = events.slice(Math.max(tooOldEnd, expiredEnd), tooNewStart).map(({ timestamp, message }) => ({
    timestamp,
    message,
  }));
  if (accepted.length > 0 && accepted.at(-1)!.timestamp - accepted[0]!.timestamp > MAX_SPAN_MS) {
    throw new InvalidParameterException(
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    );
  }
  const rejected: RejectedLogEventsInfo = {
    ...(tooNewStart < events.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
    ...(tooOldEnd > 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
    ...(expiredEnd > 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
  };
  return { accepted, rejected: Object.keys(rejected).length > 0 ? rejected : undefined };
}

function countWhile<T>(items: readonly T[], test: (item: T) => boolean): number {
  let n = 0;
  while (n < items.length && test(items[n]!)) n++;
  return n;
}

function countWhileFromEnd<T>(items: readonly T[], test: (item: T) => boolean): number {
  let n = 0;
  while (n < items.length && test(items[items.length - 1 - n]!)) n++;
  return n;
}

export async function putLogEvents(deps: LogsDeps, input: PutLogEventsRequest): Promise<PutLogEventsResponse> {
  const group = await requireLogGroup(deps.store, input.logGroupName);
  const now = deps.clock.now().getTime();
  const { accepted, rejected } = checkBatch(input.logEvents, { now, keepsFrom: retentionStart(group, now) });
  const result = await deps.store.logs.appendEvents(group.name, input.logStreamName, accepted, now);
  if (result.status !== 'stored') {
    throw result.status === 'no-group' ? ResourceNotFoundException.logGroup() : ResourceNotFoundException.logStream();
  }
  await publishFilterMetrics(deps, group, accepted);
  return {
    nextSequenceToken: sequenceToken(result.uploads),
    ...(rejected ? { rejectedLogEventsInfo: rejected } : {}),
  };
}
