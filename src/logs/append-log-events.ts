import type { LogGroupRecord } from '../store/index.ts';
import { InvalidParameterException, ResourceNotFoundException } from './errors.ts';
import { publishFilterMetrics } from './filter-metrics.ts';
import { newLogGroup, type LogsDeps } from './log-groups.ts';
import { newLogStream } from './log-streams.ts';
import { checkLogGroupName, checkLogStreamName } from './names.ts';
import { checkBatch, EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_SPAN_MS } from './put-log-events.ts';
import { retentionStart } from './retention.ts';

/*
 * The in-process way into CloudWatch Logs, for the agent that ships containers' output: what
 * PutLogEvents does, without HTTP, and forgiving where a log shipper needs it. It sorts the
 * events, splits them into batches PutLogEvents would take, and creates the stream (and, when
 * asked, the group) if missing.
 */

export interface LogEventInput {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** Not empty; at most 1,048,550 UTF-8 bytes. */
  readonly message: string;
}

export interface AppendLogEventsOptions {
  /** Create the log group when it does not exist (awslogs-create-group); else a missing group throws. */
  readonly createGroup: boolean;
}

export interface AppendLogEventsReport {
  readonly accepted: number;
  /** Older than 14 days. */
  readonly tooOld: number;
  /** Older than the group's retention (and not too old). */
  readonly expired: number;
  /** More than 2 hours in the future. */
  readonly tooNew: number;
}

export interface LogAppender {
  /**
   * Stores the events in the stream, as PutLogEvents would. Throws ResourceNotFoundException when
   * the group is missing and createGroup is false, InvalidParameterException for a bad name or
   * an empty or oversized message.
   */
  appendLogEvents(
    groupName: string,
    streamName: string,
    events: readonly LogEventInput[],
    options: AppendLogEventsOptions,
  ): Promise<AppendLogEventsReport>;
}

/** The stream name ECS's awslogs driver uses: prefix/container-name/task-id. */
export function awslogsStreamName(prefix: string, containerName: string, taskId: string): string {
  return `${prefix}/${containerName}/${taskId}`;
}

export function createLogAppender(deps: LogsDeps): LogAppender {
  return {
    async appendLogEvents(groupName, streamName, events, options) {
      checkLogGroupName(groupName);
      checkLogStreamName(streamName);
      for (const event of events) checkEvent(event);
      const batches = splitIntoBatches(events);
      let group = await ensureGroup(deps, groupName, options.createGroup);
      const report = { accepted: 0, tooOld: 0, expired: 0, tooNew: 0 };
      if (batches.length === 0) await ensureStream(deps, groupName, streamName);
      for (const batch of batches) {
        const now = deps.clock.now().getTime();
        const { accepted, rejected } = checkBatch(batch, { now, keepsFrom: retentionStart(group, now) });
        // A stream (or group) deleted meanwhile is created again, once.
        for (let attempt = 0; ; attempt++) {
          const result = await deps.store.logs.appendEvents(groupName, streamName, accepted, now);
          if (result.status === 'stored') {
            await publishFilterMetrics(deps, group, accepted);
            break;
          }
          if (attempt > 0) throw ResourceNotFoundException.logStream();
          if (result.status === 'no-group') group = await ensureGroup(deps, groupName, options.createGroup);
          await ensureStream(deps, groupName, streamName);
        }
        const oldEnd = Math.max(rejected?.tooOldLogEventEndIndex ?? 0, rejected?.expiredLogEventEndIndex ?? 0);
        report.accepted += accepted.length;
        report.tooOld += rejected?.tooOldLogEventEndIndex ?? 0;
        report.expired += oldEnd - (rejected?.tooOldLogEventEndIndex ?? 0);
        report.tooNew += batch.length - (rejected?.tooNewLogEventStartIndex ?? batch.length);
      }
      return report;
    },
  };
}

function checkEvent(event: LogEventInput): void {
  if (!Number.isSafeInteger(event.timestamp) || event.timestamp < 0) {
    throw new InvalidParameterException(`Invalid log event timestamp ${event.timestamp}.`);
  }
  if (event.message.length === 0) throw new InvalidParameterException('Log event messages cannot be empty.');
  if (Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES > MAX_BATCH_BYTES) {
    throw new InvalidParameterException(
      `Log event messages are at most ${MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES} bytes.`,
    );
  }
}

/**
 * Sorts the events by timestamp (stably) and cuts them into batches PutLogEvents accepts: at most
 * 10,000 events, 1,048,576 bytes (26 per event included) and 24 hours each.
 */
export function splitIntoBatches(events: readonly LogEventInput[]): LogEventInput[][] {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const batches: LogEventInput[][] = [];
  let batch: LogEventInput[] = [];
  let bytes = 0;
  for (const event of sorted) {
    const size = Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
    const full =
      batch.length > 0 &&
      (batch.length === MAX_BATCH_EVENTS ||
        bytes + size > MAX_BATCH_BYTES ||
        event.timestamp - batch[0]!.timestamp > MAX_SPAN_MS);
    if (full) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

async function ensureGroup(deps: LogsDeps, groupName: string, create: boolean): Promise<LogGroupRecord> {
  let group = await deps.store.logs.getGroup(groupName);
  if (!group && create) {
    await deps.store.logs.createGroup(newLogGroup(groupName, deps.clock.now()));
    group = await deps.store.logs.getGroup(groupName);
  }
  if (!group) throw ResourceNotFoundException.logGroup();
  return group;
}

async function ensureStream(deps: LogsDeps, groupName: string, streamName: string): Promise<void> {
  const outcome = await deps.store.logs.createStream(groupName, newLogStream(streamName, deps.clock.now()));
  if (outcome === 'no-group') throw ResourceNotFoundException.logGroup();
}
