import {
  ecsMetricData,
  type ClusterCapacity,
  type InstanceCapacity,
  type TaskMinuteUsage,
  type TaskTelemetry,
} from '../ecs/index.ts';
import type { Resource } from '../ecs/shapes.generated.ts';
import type { Clock, TimeScale } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetricPublisher } from '../shared/metric-publisher.ts';
import type { MetadataStore } from '../store/index.ts';
import type { DataPlane } from '../elb/index.ts';
import { elbMetricsPublisher } from './elb-metrics.ts';
import { schedulePeriodic } from './periodic.ts';
import { cloudWatchPublisher } from '../cloudwatch/index.ts';

const MINUTE_MS = 60_000;
/** How long after a minute ends its last samples may still arrive (an agent's stats take a second). */
const LATE_SAMPLES_MS = 5_000;

/**
 * When the loop runs and what it drains: at the default (a minute), every 5 s, each minute once
 * it ended 5 s ago; shorter (tests), every `publishMs`, everything so far, the minute still going too.
 */
export function publishingPlan(publishMs: number): { tickMs: number; drainBefore: (now: number) => number } {
  if (publishMs < MINUTE_MS) return { tickMs: publishMs, drainBefore: () => Infinity };
  return {
    tickMs: LATE_SAMPLES_MS,
    drainBefore: (now) => Math.floor((now - LATE_SAMPLES_MS) / MINUTE_MS) * MINUTE_MS,
  };
}

function registered(resources: readonly Resource[], name: string): number {
  return resources.find((r) => r.name === name)?.integerValue ?? 0;
}

/** The ACTIVE and DRAINING container instances of each cluster, with what their unstopped tasks reserve. */
async function readCapacity(store: MetadataStore, clusters: Iterable<string>): Promise<ClusterCapacity> {
  const capacity = new Map<string, InstanceCapacity[]>();
  for (const cluster of clusters) {
    const instances = [];
    for (const status of ['ACTIVE', 'DRAINING']) {
      let after: string | undefined;
      for (;;) {
        const page = await store.containerInstances.list(cluster, { status, after, limit: 100 });
        instances.push(...page);
        if (page.length < 100) break;
        after = page.at(-1)!.id;
      }
    }
    const reserved = new Map<string, { cpu: number; memory: number }>();
    for (const placed of await store.tasks.placed(cluster)) {
      const sum = reserved.get(placed.containerInstance) ?? { cpu: 0, memory: 0 };
      reserved.set(placed.containerInstance, {
        cpu: sum.cpu + placed.reservation.cpu,
        memory: sum.memory + placed.reservation.memory,
      });
    }
    capacity.set(
      cluster,
      instances.map((instance) => {
        const resources = (instance.body.registeredResources ?? []) as Resource[];
        return {
          id: instance.id,
          registeredCpu: registered(resources, 'CPU'),
          registeredMemory: registered(resources, 'MEMORY'),
          reservedCpu: reserved.get(instance.id)?.cpu ?? 0,
          reservedMemory: reserved.get(instance.id)?.memory ?? 0,
        };
      }),
    );
  }
  return capacity;
}

/** Drains the agents' telemetry and writes the AWS/ECS datapoints of what it held. */
export async function publishEcsMetrics(
  deps: { readonly store: MetadataStore; readonly telemetry: TaskTelemetry; readonly publisher: MetricPublisher },
  drainBefore: number,
): Promise<number> {
  const usage: TaskMinuteUsage[] = deps.telemetry.drain(drainBefore);
  if (usage.length === 0) return 0;
  const capacity = await readCapacity(deps.store, new Set(usage.map((u) => u.cluster)));
  const data = ecsMetricData(usage, capacity);
  await deps.publisher.publish('AWS/ECS', data);
  return data.length;
}

/**
 * The loop of the metrics Berth publishes itself, writing into this server's CloudWatch unless
 * told where: AWS/ECS from the agents' telemetry (like ECS's metrics pipeline behind TCS), and
 * AWS/ApplicationELB from the load balancer proxy's counters (elb-metrics.ts). `deps.clock` is
 * metrics time (metrics-time.ts) and `publishMs` milliseconds of it: the loop runs `time.speedup`
 * times more often in real time.
 */
export function scheduleBerthMetrics(
  deps: {
    readonly store: MetadataStore;
    readonly clock: Clock;
    readonly telemetry: TaskTelemetry;
    readonly dataPlane?: DataPlane;
    readonly publisher?: MetricPublisher;
  },
  options: { readonly publishMs: number; readonly logger: Logger; readonly time?: Pick<TimeScale, 'baseMs'> },
) {
  const plan = publishingPlan(options.publishMs);
  const publisher = deps.publisher ?? cloudWatchPublisher(deps);
  const elb = deps.dataPlane && elbMetricsPublisher(deps.dataPlane, publisher);
  return schedulePeriodic(
    'metrics',
    options.time?.baseMs(plan.tickMs) ?? plan.tickMs,
    async () => {
      const now = deps.clock.now().getTime();
      await elb?.(now);
      await publishEcsMetrics({ ...deps, publisher }, plan.drainBefore(now));
    },
    options.logger,
  );
}
