/**
 * What a REPLICA service's scheduler does next, as a pure function of the service and its tasks
 * (level-triggered: it is asked again after every change and on a timer, so a missed event never
 * leaves a service wrong). ECS's rolling-update arithmetic: at most floor(desired x maximumPercent
 * / 100) tasks run at once, at least ceil(desired x minimumHealthyPercent / 100) stay healthy.
 */
import { hasTripped } from './service-circuit-breaker.ts';
import { CONTAINER_HEALTH_CHECKS_REASON } from './service-task-health.ts';

export interface PlanTask {
  readonly id: string;
  /** The deployment that started it (startedBy). */
  readonly deployment: string | undefined;
  readonly lastStatus: string;
  /** RUNNING, and its health checks (if any) pass. */
  readonly healthy: boolean;
  /** Its essential containers failed their health checks, or its load balancer targets did. */
  readonly unhealthy: boolean;
  /** Why, when not the container health checks (ELB health checks). */
  readonly unhealthyReason?: string | undefined;
  readonly createdAt: number;
  /** Scale-in protected (UpdateTaskProtection): neither scale-in nor a deployment stops it. */
  readonly protected?: boolean;
}

export interface PlanDeployment {
  readonly id: string;
  readonly status: 'PRIMARY' | 'ACTIVE';
  readonly rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  /** Its tasks that failed (service-circuit-breaker.ts counts them). */
  readonly failedTasks: number;
}

export interface PlanInput {
  readonly desiredCount: number;
  readonly maximumPercent: number;
  readonly minimumHealthyPercent: number;
  readonly circuitBreaker: boolean;
  readonly draining: boolean;
  /** Newest first: the PRIMARY, then the ACTIVE ones it replaces. */
  readonly deployments: readonly PlanDeployment[];
  /** The service's tasks that are not STOPPED and still wanted RUNNING. */
  readonly tasks: readonly PlanTask[];
}

export interface Plan {
  readonly start: number;
  readonly stop: readonly { readonly id: string; readonly reason: string }[];
  /** The primary's new rollout state, when it changes. */
  readonly rollout?: 'COMPLETED' | 'FAILED' | undefined;
  /** The ACTIVE deployments with no task left: they leave the service. */
  readonly retire: readonly string[];
  /** One deployment, desired count running and healthy. */
  readonly steady: boolean;
}

/** Pending and unhealthy first, then the newest: what ECS stops first when it has a choice. */
function stopOrder(a: PlanTask, b: PlanTask): number {
  const rank = (t: PlanTask) => (t.unhealthy ? 0 : t.lastStatus !== 'RUNNING' ? 1 : 2);
  return rank(a) - rank(b) || b.createdAt - a.createdAt;
}

function oldTasksToStop(others: readonly PlanTask[], spareHealthy: number, primary: string) {
  const stop: { id: string; reason: string }[] = [];
  let spare = spareHealthy;
  for (const task of [...others].sort(stopOrder)) {
    if (task.protected && !task.unhealthy) continue;
    if (task.healthy) {
      if (spare <= 0) continue;
      spare--;
    }
    stop.push({ id: task.id, reason: `Scaling activity initiated by (deployment ${primary})` });
  }
  return stop;
}

export function planService(input: PlanInput): Plan {
  const [primary, ...olds] = input.deployments;
  if (!primary || input.draining) {
    return {
      start: 0,
      stop: input.tasks.map((t) => ({ id: t.id, reason: 'Service is being deleted' })),
      retire: [],
      steady: false,
    };
  }
  const desired = input.desiredCount;
  const mine = input.tasks.filter((t) => t.deployment === primary.id);
  const others = input.tasks.filter((t) => t.deployment !== primary.id);
  const stop: { id: string; reason: string }[] = [];
  // Tasks failing their health checks are replaced.
  for (const task of mine.filter((t) => t.unhealthy))
    stop.push({ id: task.id, reason: task.unhealthyReason ?? CONTAINER_HEALTH_CHECKS_REASON });
  const kept = mine.filter((t) => !t.unhealthy);
  // Scale in: the surplus of the primary goes, pending first; protected tasks stay (and so the surplus).
  const surplus = Math.max(0, kept.length - desired);
  for (const task of kept
    .filter((t) => !t.protected)
    .sort(stopOrder)
    .slice(0, surplus))
    stop.push({ id: task.id, reason: `Scaling activity initiated by (deployment ${primary.id})` });
  const primaryCount = Math.min(kept.length, desired);

  const tripped =
    primary.rolloutState === 'FAILED' ||
    hasTripped({ enabled: input.circuitBreaker, ...primary, desiredCount: desired });
  const maxTotal = Math.max(desired, Math.floor((desired * input.maximumPercent) / 100));
  const minHealthy = Math.ceil((desired * input.minimumHealthyPercent) / 100);
  const room = maxTotal - primaryCount - others.length;
  const start = tripped ? 0 : Math.max(0, Math.min(desired - primaryCount, room));

  // Old deployments' tasks go as long as enough healthy ones remain (unhealthy or pending ones at once).
  // A failed deployment keeps the old tasks: they are what the service still has (and rolls back to).
  if (!tripped) {
    const healthy = kept.filter((t) => t.healthy).length + others.filter((t) => t.healthy).length;
    stop.push(...oldTasksToStop(others, healthy - minHealthy, primary.id));
  }
  if (tripped) {
    return {
      start: 0,
      stop,
      ...(primary.rolloutState === 'IN_PROGRESS' ? { rollout: 'FAILED' as const } : {}),
      retire: [],
      steady: false,
    };
  }
  const stopped = new Set(stop.map((s) => s.id));
  const retire = olds.filter((d) => !others.some((t) => t.deployment === d.id && !stopped.has(t.id))).map((d) => d.id);
  const primaryHealthy = kept.filter((t) => t.healthy).length;
  const done = retire.length === olds.length && primaryHealthy === desired && kept.length === desired;
  return {
    start,
    stop,
    ...(done && primary.rolloutState === 'IN_PROGRESS' ? { rollout: 'COMPLETED' as const } : {}),
    retire,
    steady: done && stop.length === 0 && start === 0,
  };
}
