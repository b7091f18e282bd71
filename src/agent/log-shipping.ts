import type { ContainerDefinition, TaskAssignment } from '../ecs/index.ts';
import type { ContainerLogLine } from './runtime.ts';

/**
 * Where awslogs lines go: Berth's CloudWatch Logs API, in process or over HTTP. An empty batch
 * creates the stream (and, with createGroup, the group) without an event, as the awslogs driver
 * does when the container starts.
 */
export interface LogSink {
  append(
    group: string,
    stream: string,
    events: readonly { timestamp: number; message: string }[],
    options: { createGroup: boolean },
  ): Promise<void>;
}

/** Where one container's output goes, from its logConfiguration (awslogs only). */
export interface AwslogsTarget {
  readonly group: string;
  readonly stream: string;
  readonly createGroup: boolean;
}

/**
 * The awslogs destination of a container, named as ECS names it: the stream is
 * `prefix/container-name/task-id` (without a prefix, the EC2 awslogs driver names it after the
 * container id, which is what Docker's own driver does).
 */
export function awslogsTarget(
  task: TaskAssignment,
  container: ContainerDefinition,
  runtimeId: string,
): AwslogsTarget | undefined {
  const config = container.logConfiguration;
  if (config?.logDriver !== 'awslogs') return undefined;
  const options = config.options ?? {};
  const group = options['awslogs-group'];
  if (!group) return undefined;
  const prefix = options['awslogs-stream-prefix'];
  const taskId = task.taskArn.split('/').at(-1)!;
  return {
    group,
    stream: prefix ? `${prefix}/${container.name}/${taskId}` : runtimeId,
    createGroup: options['awslogs-create-group'] === 'true',
  };
}

/**
 * The awslogs driver creates a container's stream (and, with awslogs-create-group, its group) as
 * the container starts, before its first line: an empty batch does that. A failure is left to the
 * shipping, which creates them with the first lines.
 */
export async function openLogStream(sink: LogSink, target: AwslogsTarget): Promise<void> {
  await sink.append(target.group, target.stream, [], { createGroup: target.createGroup });
}

const BATCH_LINES = 1000;
const FLUSH_MS = 1000;

/**
 * Follows a container's output until it ends (the container stopped and its last line was read),
 * sending lines in batches at least every second. Delivery is retried with backoff, so a server
 * outage delays lines rather than losing them (up to `maxPending` lines are held).
 */
export async function shipLogs(
  lines: AsyncIterable<ContainerLogLine>,
  sink: LogSink,
  target: AwslogsTarget,
  options: { onError: (error: unknown) => void; maxPending?: number },
): Promise<void> {
  let pending: { timestamp: number; message: string }[] = [];
  let sending: Promise<void> = Promise.resolve();
  let delay = 250;
  const send = async (final: boolean): Promise<void> => {
    for (let attempt = 0; pending.length > 0; attempt++) {
      const batch = pending;
      pending = [];
      try {
        await sink.append(target.group, target.stream, batch, { createGroup: target.createGroup });
        delay = 250;
      } catch (error) {
        options.onError(error);
        pending = [...batch, ...pending].slice(-(options.maxPending ?? 100_000));
        if (!final || attempt >= 8) return; // retried at the next flush
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };
  // One send at a time, in order: a flush waits for the one before it.
  const flush = (final: boolean): Promise<void> => (sending = sending.then(() => send(final)));
  const timer = setInterval(() => void flush(false), FLUSH_MS);
  try {
    for await (const line of lines) {
      pending.push({ timestamp: line.timestamp.getTime(), message: line.line === '' ? ' ' : line.line });
      if (pending.length >= BATCH_LINES) await flush(false);
    }
  } finally {
    clearInterval(timer);
  }
  await flush(true);
}
