import type { Clock, TimeScale } from '../shared/clock.ts';
import type { MetadataStore, TaskRecord } from '../store/index.ts';
import { requireCluster } from './clusters.ts';
import { InvalidParameterException } from './errors.ts';

/** One task's use of CPU and memory, as its agent measured it (docs/agent-channel.md). */
export interface TaskUsageSample {
  readonly taskArn: string;
  readonly timestamp: Date;
  /** CPU units used on average since the agent's previous sample (1,024 = one CPU). */
  readonly cpu: number;
  /** MiB of memory in use, summed over the task's containers. */
  readonly memory: number;
}

/** An agent's telemetry: the samples of tasks on one container instance, or on managed capacity. */
export interface TelemetryRequest {
  readonly cluster?: string | undefined;
  readonly containerInstance?: string | undefined;
  readonly managed?: boolean | undefined;
  readonly samples: readonly TaskUsageSample[];
}

/** A request names at most this many samples (one per task: more tasks than a host runs). */
export const MAX_TELEMETRY_SAMPLES = 1000;

/** One task's usage over (part of) one minute, with what it reserved: what the metrics are made of. */
export interface TaskMinuteUsage {
  /** The minute's start, in ms since the epoch. */
  readonly minute: number;
  readonly taskArn: string;
  readonly cluster: string;
  readonly serviceName?: string | undefined;
  /** The container instance's id; undefined on managed (FARGATE) capacity. */
  readonly containerInstance?: string | undefined;
  readonly reservedCpu: number;
  readonly reservedMemory: number;
  /** The means of the minute's samples. */
  readonly cpu: number;
  readonly memory: number;
}

interface Accumulator {
  readonly base: Omit<TaskMinuteUsage, 'cpu' | 'memory'>;
  samples: number;
  cpu: number;
  memory: number;
}

const MINUTE_MS = 60_000;

/**
 * The samples this server took, summed per task and minute until the metrics loop drains them: its
 * size is bounded by the RUNNING tasks times the minutes not yet drained, whatever agents send.
 */
export class TaskTelemetry {
  readonly #minutes = new Map<number, Map<string, Accumulator>>();
  /**
   * How often agents should sample: ECS's 20 s, or the metrics period when it is shorter (tests);
   * in real milliseconds, shortened as metrics time goes faster (BERTH_METRICS_MINUTE_MS).
   */
  readonly sampleIntervalMs: number;
  /** Metrics time (cmd/metrics-time.ts): samples are binned at the scaled instant of their time. */
  readonly #time: Pick<TimeScale, 'scaled' | 'baseMs'> | undefined;

  constructor(options: { readonly metricsPublishMs?: number; readonly time?: TimeScale } = {}) {
    const intervalMs = Math.min(20_000, options.metricsPublishMs ?? 60_000);
    this.#time = options.time;
    this.sampleIntervalMs = this.#time ? this.#time.baseMs(intervalMs) : intervalMs;
  }

  add(task: TaskRecord, sample: TaskUsageSample): void {
    const at = this.#time ? this.#time.scaled(sample.timestamp) : sample.timestamp;
    const minute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
    let tasks = this.#minutes.get(minute);
    if (!tasks) this.#minutes.set(minute, (tasks = new Map()));
    let sum = tasks.get(task.arn);
    if (!sum) {
      const base = {
        minute,
        taskArn: task.arn,
        cluster: task.cluster,
        serviceName: task.serviceName,
        containerInstance: task.containerInstance,
        reservedCpu: task.reservation.cpu,
        reservedMemory: task.reservation.memory,
      };
      tasks.set(task.arn, (sum = { base, samples: 0, cpu: 0, memory: 0 }));
    }
    sum.samples += 1;
    sum.cpu += sample.cpu;
    sum.memory += sample.memory;
  }

  /** Takes out the minutes that start before `before` (Infinity: all, the current one too). */
  drain(before: number): TaskMinuteUsage[] {
    const drained: TaskMinuteUsage[] = [];
    for (const [minute, tasks] of this.#minutes) {
      if (minute >= before) continue;
      this.#minutes.delete(minute);
      for (const sum of tasks.values())
        drained.push({ ...sum.base, cpu: sum.cpu / sum.samples, memory: sum.memory / sum.samples });
    }
    return drained;
  }
}

function checkSample(sample: TaskUsageSample, where: string): void {
  const fine = (value: number) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (typeof sample.taskArn !== 'string' || !fine(sample.cpu) || !fine(sample.memory))
    throw new InvalidParameterException(`${where} needs taskArn, and cpu and memory as numbers of 0 or more.`);
  if (Number.isNaN(sample.timestamp.getTime()))
    throw new InvalidParameterException(`${where}.timestamp must be an ISO 8601 time.`);
}

/** The cluster name in a task ARN (arn:…:task/<cluster>/<id>). */
function clusterOfTask(taskArn: string): string {
  return taskArn.split('/').at(-2) ?? '';
}

/**
 * Takes an agent's samples: each must be of a task on that agent's instance (or on managed
 * capacity); a sample of another instance's task refuses the whole request. Samples of tasks that
 * are gone or not RUNNING (a late sample of a task stopping) are left out. Resolves with how many
 * were taken.
 */
export async function acceptTelemetry(
  deps: { readonly store: MetadataStore; readonly clock: Clock; readonly telemetry: TaskTelemetry },
  request: TelemetryRequest,
): Promise<{ accepted: number }> {
  if (request.samples.length > MAX_TELEMETRY_SAMPLES)
    throw new InvalidParameterException(`At most ${MAX_TELEMETRY_SAMPLES} samples may be sent at once.`);
  request.samples.forEach((sample, i) => checkSample(sample, `samples[${i}]`));
  const instance = request.managed ? undefined : (request.containerInstance ?? '').split('/').at(-1) || '-';
  const clusterName = request.managed ? undefined : (await requireCluster(deps, request.cluster)).name;
  const byCluster = new Map<string, TaskUsageSample[]>();
  for (const sample of request.samples) {
    const cluster = clusterOfTask(sample.taskArn);
    if (clusterName !== undefined && cluster !== clusterName)
      throw new InvalidParameterException(`The task ${sample.taskArn} is not on this container instance.`);
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), sample]);
  }
  const taken: [TaskRecord, TaskUsageSample][] = [];
  for (const [cluster, samples] of byCluster) {
    const records = new Map(
      (
        await deps.store.tasks.get(
          cluster,
          samples.map((s) => s.taskArn.split('/').at(-1)!),
        )
      ).map((r) => [r.arn, r]),
    );
    for (const sample of samples) {
      const record = records.get(sample.taskArn);
      if (!record || record.lastStatus !== 'RUNNING') continue;
      if (record.containerInstance !== instance)
        throw new InvalidParameterException(`The task ${sample.taskArn} is not on this container instance.`);
      taken.push([record, sample]);
    }
  }
  // All checked before any is kept: a refused request leaves nothing behind.
  for (const [record, sample] of taken) deps.telemetry.add(record, sample);
  return { accepted: taken.length };
}
