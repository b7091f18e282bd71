/**
 * How a REPLICA or DAEMON service's primary deployment ends its rollout: COMPLETED, or FAILED (by
 * the circuit breaker, service-circuit-breaker.ts, or a deployment alarm, service-deployment-alarms.ts),
 * and then, with that method's `rollback`, a new deployment of the last COMPLETED deployment's task
 * definition. Also the scheduler's two steps for deployment alarms: fail on an alarm, hold for the
 * bake time, for rolling deployments of REPLICA and DAEMON services alike. A traffic-shifted
 * deployment (blue/green, linear, canary) takes neither: an alarm rolls its traffic back to blue
 * (service-traffic-shift.ts nextShift), and its bakeTimeInMinutes is its bake.
 * Pure but for one read of the alarms.
 */
import type { CloudWatchRepository, ServiceRecord } from '../store/index.ts';
import { CIRCUIT_BREAKER_REASON, deploymentFailedEvent } from './service-circuit-breaker.ts';
import {
  alarmFailedEvent,
  alarmFailureReason,
  bakeHold,
  watchDeploymentAlarms,
  type AlarmWatch,
} from './service-deployment-alarms.ts';
import { isShifting } from './service-blue-green.ts';
import { addEvent } from './service-events.ts';
import type { Plan } from './service-plan.ts';
import { newDeployment } from './services.ts';
import type { Deployment, Service, ServiceEvent } from './shapes.generated.ts';

/** The deployments after the primary's rollout COMPLETED or FAILED (rolling back when asked). */
export function rolledOut(
  service: Service,
  at: {
    readonly deployments: readonly Deployment[];
    readonly events: ServiceEvent[];
    readonly outcome: 'COMPLETED' | 'FAILED';
    readonly serviceName: string;
    readonly now: Date;
    /** What failed it, when not the circuit breaker (a deployment alarm). */
    readonly failure?: { readonly reason: string; readonly event: string; readonly rollback: boolean };
  },
): { deployments: Deployment[]; events: ServiceEvent[] } {
  const name = `(service ${at.serviceName})`;
  let deployments = [...at.deployments];
  const id = deployments[0]!.id!;
  const completed = at.outcome === 'COMPLETED';
  const failure = at.failure ?? {
    reason: CIRCUIT_BREAKER_REASON,
    event: deploymentFailedEvent(at.serviceName, id),
    rollback: service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback ?? false,
  };
  deployments[0] = {
    ...deployments[0],
    rolloutState: at.outcome,
    rolloutStateReason: completed ? `ECS deployment ${id} completed.` : failure.reason,
    updatedAt: at.now,
  };
  const message = completed ? `${name} (deployment ${id}) deployment completed.` : failure.event;
  let events = addEvent(at.events, message, at.now);
  const previous = deployments.slice(1).find((d) => d.rolloutState === 'COMPLETED') ?? deployments[1];
  if (!completed && failure.rollback && previous) {
    const rollback = newDeployment({ ...service, taskDefinition: previous.taskDefinition }, at.now);
    events = addEvent(events, `${name} rolling back to deployment ${previous.id}.`, at.now);
    deployments = [rollback, ...deployments.map((d) => ({ ...d, status: 'ACTIVE' }))];
    service.taskDefinition = previous.taskDefinition;
  }
  return { deployments, events };
}

/**
 * A pass's first step for a service with deployment alarms: reads them while the primary deployment
 * is watched and, when one went to ALARM since it started, fails it (and rolls back if asked). The
 * service's events and task definition change in place, as with the circuit breaker. A shifting
 * deployment is left as it is: the pass hands `triggered` to its traffic shift, which rolls
 * it back to blue.
 */
export async function failOnAlarms(
  deps: {
    readonly store: { readonly cloudWatch: Pick<CloudWatchRepository, 'getAlarms'> };
    /** How long an API minute lasts (BERTH_DEPLOYMENT_MINUTE_MS; 60000). */
    readonly deploymentMinuteMs?: number | undefined;
    /** An instant in CloudWatch's time, where alarms' transitions are (the identity by default). */
    readonly alarmTime?: ((at: Date) => Date) | undefined;
  },
  at: {
    readonly record: ServiceRecord;
    readonly service: Service;
    readonly deployments: Deployment[];
    readonly now: Date;
  },
): Promise<{
  watch: AlarmWatch | undefined;
  /** The alarms in ALARM, whether this step failed the primary or left it to its traffic shift. */
  triggered: readonly string[];
  deployments: Deployment[];
  /** Whether this step failed the primary. */
  failed: boolean;
}> {
  const { record, service } = at;
  const watch = await watchDeploymentAlarms(deps.store.cloudWatch, {
    serviceArn: record.arn,
    service: { ...service, deployments: at.deployments },
    minuteMs: deps.deploymentMinuteMs ?? 60_000,
    alarmTime: deps.alarmTime ?? ((t) => t),
  });
  const triggered = watch?.triggered ?? [];
  if (triggered.length === 0 || record.status !== 'ACTIVE' || isShifting(at.deployments))
    return { watch, triggered, deployments: at.deployments, failed: false };
  const id = at.deployments[0]!.id!;
  const failed = { ...at.deployments[0], ...{ alarmWatch: { triggered } } };
  const out = rolledOut(service, {
    deployments: [failed, ...at.deployments.slice(1)],
    events: (service.events ?? []) as ServiceEvent[],
    outcome: 'FAILED',
    serviceName: record.name,
    now: at.now,
    failure: {
      reason: alarmFailureReason(triggered),
      event: alarmFailedEvent(record.name, id),
      rollback: service.deploymentConfiguration?.alarms?.rollback ?? false,
    },
  });
  service.events = out.events;
  return { watch, triggered, deployments: out.deployments, failed: true };
}

/**
 * The pass's plan, held while a watched deployment bakes (service-deployment-alarms.ts bakeHold).
 * Not for a traffic-shifted deployment: its BAKE_TIME stage, before CLEAN_UP, is its bake (as in
 * ECS), and adding the alarms' bake after CLEAN_UP would only delay COMPLETED with blue gone.
 */
export function holdForBake(
  watch: AlarmWatch | undefined,
  at: { readonly plan: Plan; readonly deployments: Deployment[]; readonly now: Date },
): { plan: Plan; deployments: Deployment[] } {
  const [primary, ...rest] = at.deployments;
  if (!watch || !primary || isShifting(at.deployments)) return at;
  const held = bakeHold(at.plan, primary, { bakeMs: watch.bakeMs, now: at.now.getTime() });
  return { plan: held.plan, deployments: [held.primary, ...rest] };
}

/**
 * A DAEMON pass's rollout (service-daemon.ts daemonRollout), held while a watched deployment bakes:
 * not COMPLETED and no older deployment retired until the bake time has passed since steady state.
 */
export function holdDaemonForBake(
  watch: AlarmWatch | undefined,
  at: {
    readonly rollout: { readonly retire: readonly string[]; readonly complete: boolean };
    readonly deployments: Deployment[];
    readonly now: Date;
  },
): { retire: readonly string[]; complete: boolean; deployments: Deployment[] } {
  const plan: Plan = {
    start: 0,
    stop: [],
    retire: at.rollout.retire,
    steady: false,
    ...(at.rollout.complete ? { rollout: 'COMPLETED' as const } : {}),
  };
  const held = holdForBake(watch, { plan, deployments: at.deployments, now: at.now });
  return { retire: held.plan.retire, complete: held.plan.rollout === 'COMPLETED', deployments: held.deployments };
}
