import type { TaskUsageSample } from '../ecs/index.ts';
import { cpuUnitsBetween, readDockerStats, type CpuReading } from './docker-stats.ts';

/** Where an agent's telemetry goes: the server's POST /berth/agent/telemetry, or in process. */
export interface TelemetryControl {
  telemetry(samples: readonly TaskUsageSample[]): Promise<void>;
}

/** A RUNNING task as the sampler sees it: its containers' runtime ids. */
export interface SampledTask {
  readonly taskArn: string;
  readonly containerIds: readonly string[];
}

export interface TelemetrySamplerOptions {
  readonly stats: (containerId: string) => Promise<object | undefined>;
  readonly control: TelemetryControl;
  /** The agent's RUNNING tasks, read at each period. */
  readonly tasks: () => readonly SampledTask[];
  /** ECS's agent sends telemetry every 20 s. */
  readonly intervalMs: number;
  readonly now: () => Date;
  readonly log: { warn(obj: object, msg: string): void };
}

/** Containers statted at once: each stats call takes about a second (Docker reads twice). */
const PARALLEL_STATS = 4;
const MIB = 1024 * 1024;

/**
 * Samples each RUNNING task's containers once a period and sends one request with a sample per
 * task (ECS's TCS telemetry, on the agent channel). CPU is the average since the container's
 * previous sample (over its first, the second Docker measures); memory is the latest reading.
 * Telemetry is best effort, as on ECS: a period the server does not take is dropped, not retried.
 */
export class TelemetrySampler {
  readonly #options: TelemetrySamplerOptions;
  /** Each container's last CPU reading, for the next period's average. */
  #previous = new Map<string, CpuReading>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;

  constructor(options: TelemetrySamplerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => {
      this.#running ??= this.sendOnce().finally(() => (this.#running = undefined));
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One period: samples every RUNNING task and sends what it got (nothing when no task runs). */
  async sendOnce(): Promise<void> {
    const samples = await this.sample();
    if (samples.length === 0) return;
    try {
      await this.#options.control.telemetry(samples);
    } catch (error) {
      this.#options.log.warn({ err: String(error), samples: samples.length }, 'task telemetry not delivered');
    }
  }

  /** A sample per task that has at least one container with a reading. */
  async sample(): Promise<TaskUsageSample[]> {
    const tasks = this.#options.tasks();
    const ids = tasks.flatMap((task) => task.containerIds);
    const readings = await this.#readAll(ids);
    const samples: TaskUsageSample[] = [];
    const timestamp = this.#options.now();
    for (const task of tasks) {
      const read = task.containerIds.map((id) => readings.get(id)).filter((r) => r !== undefined);
      if (read.length === 0) continue;
      const cpu = read.reduce((sum, r) => sum + (r.cpuUnits ?? 0), 0);
      const memory = read.reduce((sum, r) => sum + r.memoryBytes, 0) / MIB;
      samples.push({ taskArn: task.taskArn, timestamp, cpu, memory });
    }
    // Containers gone since (stopped, removed) are forgotten.
    this.#previous = new Map([...this.#previous].filter(([id]) => readings.has(id)));
    return samples;
  }

  async #readAll(ids: readonly string[]): Promise<Map<string, { cpuUnits?: number; memoryBytes: number }>> {
    const readings = new Map<string, { cpuUnits?: number; memoryBytes: number }>();
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const document = await this.#options.stats(id).catch(() => undefined);
        const sample = document && readDockerStats(document);
        if (!sample) continue;
        const before = this.#previous.get(id) ?? sample.precpu;
        const cpuUnits = before && cpuUnitsBetween(before, sample.cpu);
        this.#previous.set(id, sample.cpu);
        readings.set(id, { memoryBytes: sample.memoryBytes, ...(cpuUnits !== undefined ? { cpuUnits } : {}) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_STATS, ids.length) }, worker));
    return readings;
  }
}
