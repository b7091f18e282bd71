/**
 * How a REPLICA or DAEMON service's primary deployment ends its rollout: COMPLETED, or FAILED (by
 * the circuit breaker, service-circuit-breaker.ts, or a deployment alarm, service-deployment-alarms.ts),
 * and then, with that method's `rollback`, a new deployment of the last COMPLETED deployment's task
 * definition. Also the scheduler's two steps for deployment alarms: fail on an alarm, hold for the
 * bake time. Pure but for one read of the alarms.
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
 * service's events and task definition change in place, as with the circuit breaker.
 */
export async function failOnAlarms(
  cloudWatch: Pick<CloudWatchRepository, 'getAlarms'>,
  at: {
    readonly record: ServiceRecord;
    readonly service: Service;
    readonly deployments: Deployment[];
    readonly now: Date;
    /** How long an API minute lasts (BERTH_DEPLOYMENT_MINUTE_MS; 60000). */
    readonly minuteMs: number | undefined;
    /** An instant in CloudWatch's time, where alarms' transitions are (the identity by default). */
    readonly alarmTime?: ((at: Date) => Date) | undefined;
  },
): Promise<{ watch: AlarmWatch | undefined; deployments: Deployment[] }> {
  const { record, service } = at;
  const watch = await watchDeploymentAlarms(cloudWatch, {
    serviceArn: record.arn,
    service: { ...service, deployments: at.deployments },
    minuteMs: at.minuteMs ?? 60_000,
    alarmTime: at.alarmTime ?? ((t) => t),
  });
  if (!watch || watch.triggered.length === 0 || record.status !== 'ACTIVE')
    return { watch, deployments: at.deployments };
  const id = at.deployments[0]!.id!;
  const failed = { ...at.deployments[0], ...{ alarmWatch: { triggered: watch.triggered } } };
  const out = rolledOut(service, {
    deployments: [failed, ...at.deployments.slice(1)],
    events: (service.events ?? []) as ServiceEvent[],
    outcome: 'FAILED',
    serviceName: record.name,
    now: at.now,
    failure: {
      reason: alarmFailureReason(watch.triggered),
      event: alarmFailedEvent(record.name, id),
      rollback: service.deploymentConfiguration?.alarms?.rollback ?? false,
    },
  });
  service.events = out.events;
  return { watch, deployments: out.deployments };
}

/** The pass's plan, held while a watched deployment bakes (service-deployment-alarms.ts bakeHold). */
export function holdForBake(
  watch: AlarmWatch | undefined,
  at: { readonly plan: Plan; readonly deployments: Deployment[]; readonly now: Date },
): { plan: Plan; deployments: Deployment[] } {
  const [primary, ...rest] = at.deployments;
  if (!watch || !primary) return at;
  const held = bakeHold(at.plan, primary, { bakeMs: watch.bakeMs, now: at.now.getTime() });
  return { plan: held.plan, deployments: [held.primary, ...rest] };
}
