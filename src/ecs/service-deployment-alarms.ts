/**
 * ECS deployment alarms (DeploymentConfiguration.alarms): while a service's deployment is
 * IN_PROGRESS, the scheduler reads the named CloudWatch alarms; one that went to ALARM after the
 * deployment started fails it (an alarm already in ALARM when it started is ignored until it leaves
 * ALARM and returns). REPLICA and DAEMON services alike:
 * - A rolling deployment: with `rollback` the service returns to its last COMPLETED deployment, the
 *   circuit breaker's way (service-rollout.ts rolledOut). Once the rollout reaches steady state the
 *   deployment stays IN_PROGRESS, its ACTIVE deployments kept, for a bake time ECS computes from
 *   the alarms (Berth: the longest Period x EvaluationPeriods of the named alarms, in API minutes of
 *   BERTH_DEPLOYMENT_MINUTE_MS), still watched; then it is COMPLETED.
 * - A traffic-shifted one (BLUE_GREEN, LINEAR, CANARY), in any stage before CLEAN_UP: production
 *   and test traffic go back to blue, which is PRIMARY again, green FAILED (service-traffic-shift.ts
 *   nextShift, service-blue-green.ts shiftTraffic), whatever `rollback` says. Its bake is the
 *   BAKE_TIME stage (bakeTimeInMinutes): no alarm-computed bake is added.
 * Pure decisions, and one read of the alarms (store.cloudWatch) per pass of a watched deployment.
 */
import { parseArn } from '../shared/arn.ts';
import type { CloudWatchRepository } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import type { Plan } from './service-plan.ts';
import type {
  Deployment,
  DeploymentAlarms,
  DeploymentConfiguration,
  Service,
  ServiceDeploymentAlarms,
} from './shapes.generated.ts';

/** The rolloutStateReason of a deployment an alarm failed. */
export const alarmFailureReason = (alarms: readonly string[]): string =>
  `ECS deployment failed: alarm(s) detected: ${alarms.join(', ')}.`;

/** ECS's service event: "(service web) (deployment ecs-svc/…) deployment failed: alarm detected." */
export const alarmFailedEvent = (service: string, deployment: string): string =>
  `(service ${service}) (deployment ${deployment}) deployment failed: alarm detected.`;

/** What the scheduler keeps on a watched deployment (not part of ECS's Deployment: the views drop it). */
export interface AlarmWatchState {
  /** When the rollout first reached steady state: the bake time runs from there (epoch ms). */
  readonly bakeFrom?: number;
  /** The alarms that failed it. */
  readonly triggered?: readonly string[];
}
export type WatchedDeployment = Deployment & { alarmWatch?: AlarmWatchState };

/**
 * CreateService's and UpdateService's check of `alarms`, as given (DescribeServices shows it so).
 * ECS watches alarms for the ECS deployment controller only; every strategy and scheduling strategy
 * of it is watched (`strategy` and `daemon` no longer narrow what is accepted).
 */
export function alarmsConfiguration(
  given: DeploymentAlarms | undefined,
  at: { readonly controller: string; readonly strategy?: string; readonly daemon?: boolean },
): Pick<DeploymentConfiguration, 'alarms'> {
  if (!given) return {};
  if (!Array.isArray(given.alarmNames) || typeof given.enable !== 'boolean' || typeof given.rollback !== 'boolean')
    throw new InvalidParameterException('alarms requires alarmNames, enable and rollback.');
  if (given.enable) {
    if (given.alarmNames.length === 0)
      throw new InvalidParameterException('alarmNames must name at least one CloudWatch alarm when enable is true.');
    if (at.controller !== 'ECS')
      throw new InvalidParameterException(
        'Deployment alarms are only supported for services that use the ECS deployment controller.',
      );
  }
  return { alarms: { alarmNames: [...given.alarmNames], enable: given.enable, rollback: given.rollback } };
}

/** A named alarm as the decision needs it. */
export interface AlarmView {
  readonly name: string;
  readonly state: string;
  /** When it last changed state (epoch ms). */
  readonly transitionedAt: number;
  /** Period x EvaluationPeriods, in seconds. */
  readonly windowSeconds: number;
}

/** The alarms that fail a deployment started at `startedAt`: in ALARM, entered since it started. */
export const triggeredAlarms = (alarms: readonly AlarmView[], startedAt: number): string[] =>
  alarms.filter((a) => a.state === 'ALARM' && a.transitionedAt >= startedAt).map((a) => a.name);

/** The bake time after steady state: the longest window of the alarms, in API minutes. */
export const bakeTimeMs = (alarms: readonly AlarmView[], minuteMs: number): number =>
  (Math.max(0, ...alarms.map((a) => a.windowSeconds)) / 60) * minuteMs;

/**
 * The plan of a pass whose rollout would complete: while the bake time runs, no COMPLETED and no
 * retirement (ECS keeps the ACTIVE deployment until after the bake time), and the bake's start noted.
 */
export function bakeHold(
  plan: Plan,
  primary: WatchedDeployment,
  at: { readonly bakeMs: number; readonly now: number },
): { plan: Plan; primary: WatchedDeployment } {
  if (plan.rollout !== 'COMPLETED') return { plan, primary };
  const bakeFrom = primary.alarmWatch?.bakeFrom ?? at.now;
  if (at.now - bakeFrom >= at.bakeMs) return { plan, primary };
  const held: Plan = { start: plan.start, stop: plan.stop, retire: [], steady: plan.steady };
  return { plan: held, primary: { ...primary, alarmWatch: { ...primary.alarmWatch, bakeFrom } } };
}

/** Whether the primary deployment is watched now: alarms enabled, its rollout IN_PROGRESS. */
export function watchedAlarms(service: Service, primary: Deployment | undefined): readonly string[] {
  const alarms = service.deploymentConfiguration?.alarms;
  if (!alarms?.enable || primary?.rolloutState !== 'IN_PROGRESS') return [];
  return alarms.alarmNames;
}

const periodOf = (config: {
  readonly Period?: number | undefined;
  readonly Metrics?: readonly { readonly Period?: number; readonly MetricStat?: { readonly Period: number } }[];
}): number =>
  config.Period ?? Math.max(60, ...(config.Metrics ?? []).map((m) => m.MetricStat?.Period ?? m.Period ?? 0));

/** The named alarms of the service's account and region, as the store has them now. */
export async function readAlarms(
  cloudWatch: Pick<CloudWatchRepository, 'getAlarms'>,
  serviceArn: string,
  names: readonly string[],
): Promise<AlarmView[]> {
  const owner = parseArn(serviceArn);
  const records = await cloudWatch.getAlarms(names);
  return records.flatMap((record) => {
    const body = record.body as {
      arn?: string;
      config?: Parameters<typeof periodOf>[0] & { AlarmName?: string; EvaluationPeriods?: number };
      state?: { value?: string; transitionedAt?: number };
    };
    const arn = parseArn(body.arn ?? '');
    if (!body.config || !body.state || arn?.accountId !== owner?.accountId || arn?.region !== owner?.region) return [];
    return [
      {
        name: body.config.AlarmName ?? record.name,
        state: body.state.value ?? 'INSUFFICIENT_DATA',
        transitionedAt: body.state.transitionedAt ?? 0,
        windowSeconds: periodOf(body.config) * (body.config.EvaluationPeriods ?? 1),
      },
    ];
  });
}

/** What a pass learns from the alarms of the service's primary deployment, if it is watched. */
export interface AlarmWatch {
  readonly triggered: readonly string[];
  readonly bakeMs: number;
}

export async function watchDeploymentAlarms(
  cloudWatch: Pick<CloudWatchRepository, 'getAlarms'>,
  at: {
    readonly serviceArn: string;
    readonly service: Service;
    readonly minuteMs: number;
    /** The instant in CloudWatch's time (alarms' transitions are in it: BERTH_METRICS_MINUTE_MS). */
    readonly alarmTime: (at: Date) => Date;
  },
): Promise<AlarmWatch | undefined> {
  const primary = at.service.deployments?.[0];
  const names = watchedAlarms(at.service, primary);
  if (names.length === 0 || !primary) return undefined;
  const alarms = await readAlarms(cloudWatch, at.serviceArn, names);
  const startedAt = primary.createdAt === undefined ? 0 : at.alarmTime(new Date(primary.createdAt)).getTime();
  return { triggered: triggeredAlarms(alarms, startedAt), bakeMs: bakeTimeMs(alarms, at.minuteMs) };
}

/** DescribeServiceDeployments' `alarms` of a deployment: TRIGGERED with the alarms that failed it. */
export function deploymentAlarmsStatus(
  deployment: WatchedDeployment,
  alarms: DeploymentAlarms | undefined,
): ServiceDeploymentAlarms {
  if (!alarms?.enable) return { status: 'DISABLED' };
  const triggered = deployment.alarmWatch?.triggered ?? [];
  if (triggered.length > 0)
    return { status: 'TRIGGERED', alarmNames: alarms.alarmNames, triggeredAlarmNames: [...triggered] };
  const status = deployment.rolloutState === 'IN_PROGRESS' ? 'MONITORING' : 'MONITORING_COMPLETE';
  return { status, alarmNames: alarms.alarmNames };
}
