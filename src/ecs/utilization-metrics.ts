import type { PublishedDatum } from '../shared/metric-publisher.ts';
import type { TaskMinuteUsage } from './task-telemetry.ts';

/** What one ACTIVE or DRAINING container instance registered, and what its unstopped tasks reserve. */
export interface InstanceCapacity {
  readonly id: string;
  readonly registeredCpu: number;
  readonly registeredMemory: number;
  readonly reservedCpu: number;
  readonly reservedMemory: number;
}

/** A cluster's container instances (none: a FARGATE-only cluster), by cluster name. */
export type ClusterCapacity = ReadonlyMap<string, readonly InstanceCapacity[]>;

interface Share {
  readonly used: number;
  readonly of: number;
}

/**
 * A percentage over a group as ECS publishes it: a statistic set whose Average is 100 x the
 * group's total used / total available, and whose Minimum and Maximum are the extremes of the
 * members' own percentages (the least and the most loaded task, or container instance).
 * Members with nothing available are left out; no member left, no datum.
 */
export function percentOf(shares: readonly Share[]): PublishedDatum['StatisticValues'] | undefined {
  const counted = shares.filter((share) => share.of > 0);
  if (counted.length === 0) return undefined;
  const used = counted.reduce((sum, share) => sum + share.used, 0);
  const of = counted.reduce((sum, share) => sum + share.of, 0);
  const percents = counted.map((share) => (100 * share.used) / share.of);
  return {
    SampleCount: counted.length,
    // Sum / SampleCount is the Average: the group's own percentage, not the members' mean.
    Sum: ((100 * used) / of) * counted.length,
    Minimum: Math.min(...percents),
    Maximum: Math.max(...percents),
  };
}

function datum(
  name: string,
  dimensions: PublishedDatum['Dimensions'],
  minute: number,
  values: PublishedDatum['StatisticValues'] | undefined,
): PublishedDatum[] {
  if (!values) return [];
  return [
    { MetricName: name, Dimensions: dimensions, Unit: 'Percent', Timestamp: new Date(minute), StatisticValues: values },
  ];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    if (name === undefined) continue;
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

/** Per service: CPUUtilization and MemoryUtilization against what its RUNNING tasks reserve. */
function serviceMetrics(cluster: string, minute: number, usage: readonly TaskMinuteUsage[]): PublishedDatum[] {
  return [...groupBy(usage, (task) => task.serviceName)].flatMap(([service, tasks]) => {
    const dimensions = [
      { Name: 'ClusterName', Value: cluster },
      { Name: 'ServiceName', Value: service },
    ];
    return [
      ...datum('CPUUtilization', dimensions, minute, percentOf(tasks.map((t) => ({ used: t.cpu, of: t.reservedCpu })))),
      ...datum(
        'MemoryUtilization',
        dimensions,
        minute,
        percentOf(tasks.map((t) => ({ used: t.memory, of: t.reservedMemory }))),
      ),
    ];
  });
}

/**
 * Per cluster, as ECS documents it for EC2 capacity: what tasks on its container instances use
 * (CPUUtilization, MemoryUtilization) and reserve (CPUReservation, MemoryReservation) against
 * what the ACTIVE and DRAINING instances registered. FARGATE tasks are not counted, and a cluster
 * with no such instance has no cluster-level datum.
 */
function clusterMetrics(
  cluster: string,
  minute: number,
  usage: readonly TaskMinuteUsage[],
  instances: readonly InstanceCapacity[],
): PublishedDatum[] {
  if (instances.length === 0) return [];
  const onInstance = groupBy(usage, (task) => task.containerInstance);
  const used = (id: string, of: 'cpu' | 'memory') => (onInstance.get(id) ?? []).reduce((sum, t) => sum + t[of], 0);
  const dimensions = [{ Name: 'ClusterName', Value: cluster }];
  const share = (pick: (instance: InstanceCapacity) => Share) => percentOf(instances.map(pick));
  return [
    ...datum(
      'CPUUtilization',
      dimensions,
      minute,
      share((i) => ({ used: used(i.id, 'cpu'), of: i.registeredCpu })),
    ),
    ...datum(
      'MemoryUtilization',
      dimensions,
      minute,
      share((i) => ({ used: used(i.id, 'memory'), of: i.registeredMemory })),
    ),
    ...datum(
      'CPUReservation',
      dimensions,
      minute,
      share((i) => ({ used: i.reservedCpu, of: i.registeredCpu })),
    ),
    ...datum(
      'MemoryReservation',
      dimensions,
      minute,
      share((i) => ({ used: i.reservedMemory, of: i.registeredMemory })),
    ),
  ];
}

/**
 * The AWS/ECS datapoints of the minutes in `usage`: each service's and each cluster's. As on ECS,
 * only what has RUNNING tasks (samples) has datapoints. Pure: the loop in cmd/ does the I/O.
 */
export function ecsMetricData(usage: readonly TaskMinuteUsage[], capacity: ClusterCapacity): PublishedDatum[] {
  const byMinuteAndCluster = groupBy(usage, (task) => `${task.minute} ${task.cluster}`);
  return [...byMinuteAndCluster.values()].flatMap((tasks) => {
    const { minute, cluster } = tasks[0]!;
    return [
      ...serviceMetrics(cluster, minute, tasks),
      ...clusterMetrics(cluster, minute, tasks, capacity.get(cluster) ?? []),
    ];
  });
}
