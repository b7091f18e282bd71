/**
 * How the service scheduler sees one of its tasks each pass (pure): which deployment it counts
 * for, whether it is healthy (RUNNING long enough, its health checks and load balancer targets
 * passing), and whether it must be replaced (failing checks after the grace period, or an agent
 * that stopped answering).
 */
import type { TaskRecord } from '../store/index.ts';
import type { PlanTask } from './service-plan.ts';
import type { TargetVerdict } from './service-targets.ts';
import type { TaskDeps } from './tasks.ts';
import { capacityOf, MANAGED_HOST_PREFIX } from './managed-capacities.ts';

/**
 * How long a task must have been RUNNING before the scheduler counts it healthy (stops an old task
 * for it, completes a deployment with it): a container that exits right after starting must count
 * as a failure, not as a success (like Kubernetes' minReadySeconds).
 */
export const MIN_RUNNING_MS = 3000;

/** The stop reason of a task the scheduler replaces for failing its container health checks (ECS's words). */
export const CONTAINER_HEALTH_CHECKS_REASON = 'Task failed container health checks';

export const LOST_AGENT_REASON = 'Task stopped because the ECS agent of its container instance stopped responding';

export const LOST_CAPACITY_REASON =
  'Task stopped because the Berth server running it (its managed capacity) stopped responding';

/** BERTH_AGENT_LOST_SECONDS' default. */
export const DEFAULT_AGENT_LOST_MS = 180_000;

export interface PlanContext {
  readonly now: Date;
  readonly primary: string | undefined;
  readonly draining: ReadonlySet<string>;
  /** healthCheckGracePeriodSeconds, in ms. */
  readonly graceMs: number;
  /** Whether the agent of a container instance has been silent too long (its tasks are replaced). */
  readonly lost: (containerInstance: string) => boolean;
  /** Verdicts from the task's load balancer targets; undefined when the service has none. */
  readonly targets: ReadonlyMap<string, TargetVerdict> | undefined;
  /** The ids of the tasks under scale-in protection now. */
  readonly protectedIds?: ReadonlySet<string> | undefined;
}

interface HealthView {
  healthStatus?: string;
  startedAt?: number;
  containers?: { healthStatus?: string }[];
}

export const lostAgent =
  (deps: TaskDeps) =>
  (instance: string): boolean =>
    instance.startsWith(MANAGED_HOST_PREFIX)
      ? (deps.managedCapacities?.lost(instance.slice(MANAGED_HOST_PREFIX.length)) ?? false)
      : deps.agents.silentForMs(instance) > (deps.agentLostAfterMs ?? DEFAULT_AGENT_LOST_MS);

/** Passing its own health checks: HEALTHY when it has any, else anything but UNHEALTHY. */
function checksPass(body: HealthView): boolean {
  const checked = (body.containers ?? []).some((c) => c.healthStatus !== undefined);
  return checked ? body.healthStatus === 'HEALTHY' : body.healthStatus !== 'UNHEALTHY';
}

/** Why the task must be replaced, if it must. */
function replacementReason(task: TaskRecord, body: HealthView, at: PlanContext): string | undefined {
  // Its instance's agent stopped answering: the task is presumed lost and replaced elsewhere.
  if (task.containerInstance !== undefined && at.lost(task.containerInstance)) return LOST_AGENT_REASON;
  // A FARGATE task's managed capacity (its server) stopped answering: the same, as ECS replaces tasks of lost hosts.
  const capacity = task.containerInstance === undefined ? capacityOf(task) : undefined;
  if (capacity !== undefined && at.lost(MANAGED_HOST_PREFIX + capacity)) return LOST_CAPACITY_REASON;
  // healthCheckGracePeriodSeconds: failing health checks are ignored for a while after the start.
  if (at.now.getTime() - (body.startedAt ?? 0) < at.graceMs) return undefined;
  if (body.healthStatus === 'UNHEALTHY') return CONTAINER_HEALTH_CHECKS_REASON;
  const target = at.targets?.get(task.id);
  return target?.verdict === 'unhealthy' ? target.reason : undefined;
}

export function planTask(task: TaskRecord, at: PlanContext): PlanTask {
  const body = task.body as HealthView;
  // A task on a DRAINING instance is replaced like one of an older deployment: a new copy starts
  // elsewhere first, within the service's minimumHealthyPercent and maximumPercent.
  const onDraining = task.containerInstance !== undefined && at.draining.has(task.containerInstance);
  const deployment = onDraining ? undefined : task.startedBy;
  // New tasks must have run a while to count (MIN_RUNNING_MS); the ones they replace count as they are.
  const settled = deployment !== at.primary || at.now.getTime() - (body.startedAt ?? Infinity) >= MIN_RUNNING_MS;
  const targetsHealthy = at.targets === undefined || at.targets.get(task.id)?.verdict === 'healthy';
  const reason = replacementReason(task, body, at);
  return {
    id: task.id,
    deployment,
    lastStatus: task.lastStatus,
    healthy: task.lastStatus === 'RUNNING' && settled && targetsHealthy && checksPass(body),
    unhealthy: reason !== undefined,
    ...(reason !== undefined ? { unhealthyReason: reason } : {}),
    createdAt: task.createdAt.getTime(),
    ...(at.protectedIds?.has(task.id) ? { protected: true } : {}),
  };
}
