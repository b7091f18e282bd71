/**
 * The two figures ECS's telemetry takes from a container's stats document (Docker's
 * `GET /containers/{id}/stats`): CPU used, in CPU units, and memory used, in bytes.
 */

/** A point on a container's CPU clock: its cumulative usage against the host's, in nanoseconds. */
export interface CpuReading {
  readonly totalUsage: number;
  readonly systemUsage: number;
  readonly onlineCpus: number;
}

export interface ContainerStatsSample {
  readonly cpu: CpuReading;
  /** The reading Docker took about a second before `cpu` (absent from a one-shot document). */
  readonly precpu?: CpuReading | undefined;
  /** Memory in use as `docker stats` shows it: usage less the inactive file cache. */
  readonly memoryBytes: number;
}

/** 1,024 CPU units are one CPU, as in ECS task definitions. */
export const CPU_UNITS_PER_CPU = 1024;

type Stats = Record<string, unknown>;

function member(value: unknown, name: string): Stats | undefined {
  const child = typeof value === 'object' && value !== null ? (value as Stats)[name] : undefined;
  return typeof child === 'object' && child !== null ? (child as Stats) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function cpuReading(stats: Stats | undefined): CpuReading | undefined {
  const totalUsage = count(member(stats, 'cpu_usage')?.total_usage);
  const systemUsage = count(stats?.system_cpu_usage);
  if (totalUsage === undefined || systemUsage === undefined || systemUsage === 0) return undefined;
  // Engines before API 1.27 have no online_cpus: the per-CPU list's length, as the docker CLI does.
  const perCpu = member(stats, 'cpu_usage')?.percpu_usage;
  const onlineCpus = count(stats?.online_cpus) || (Array.isArray(perCpu) ? perCpu.length : 0);
  return onlineCpus > 0 ? { totalUsage, systemUsage, onlineCpus } : undefined;
}

/**
 * Usage less the inactive file cache (`total_inactive_file` under cgroup v1, `inactive_file` under
 * v2), as the docker CLI computes it since 19.03: page cache the kernel can take back is not use.
 */
function memoryInUse(memory: Stats | undefined): number | undefined {
  const usage = count(memory?.usage);
  if (usage === undefined) return undefined;
  const stats = member(memory, 'stats');
  const inactive = count(stats?.total_inactive_file) ?? count(stats?.inactive_file) ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

/** The sample in a stats document; undefined when it has none (a stopped container's is zeros). */
export function readDockerStats(document: object): ContainerStatsSample | undefined {
  const cpu = cpuReading(member(document, 'cpu_stats'));
  const memoryBytes = memoryInUse(member(document, 'memory_stats'));
  if (!cpu || memoryBytes === undefined) return undefined;
  const precpu = cpuReading(member(document, 'precpu_stats'));
  return { cpu, memoryBytes, ...(precpu ? { precpu } : {}) };
}

/**
 * CPU units used on average between two readings, with the docker CLI's formula: the container's
 * share of the host's CPU time times the online CPUs, here times 1,024. Undefined when the host's
 * clock did not move (or went back: a restarted container has a new clock).
 */
export function cpuUnitsBetween(before: CpuReading, after: CpuReading): number | undefined {
  const used = after.totalUsage - before.totalUsage;
  const system = after.systemUsage - before.systemUsage;
  if (system <= 0 || used < 0) return undefined;
  return (used / system) * after.onlineCpus * CPU_UNITS_PER_CPU;
}
