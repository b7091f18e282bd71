/**
 * ECS-native blue/green, linear and canary deployments, as pure functions: which lifecycle stage a
 * deployment is in, how much production traffic its (green) tasks get, and which tasks start and
 * stop. The scheduler asks again every pass (level-triggered), with the time; the I/O side
 * (service-blue-green.ts) writes the weights to the production listener rule and the stage to the
 * deployment.
 *
 *   SCALE_UP ─ green all healthy ─▶ PRODUCTION_TRAFFIC_SHIFT ─ 100% ─▶ BAKE_TIME ─ bake ─▶ CLEAN_UP ─ blue gone ─▶ COMPLETED
 *        └── circuit breaker, a deployment alarm, or a green task unhealthy once it has traffic ──▶ ROLLBACK (0% green)
 *
 * Deployment alarms (service-deployment-alarms.ts) are watched in every stage before CLEAN_UP, the
 * user's bake time included: ECS's BAKE_TIME is the bake of a traffic-shifted deployment, so the
 * alarm-computed bake of rolling deployments is not added to it. An alarm rolls traffic back to
 * blue whatever the alarms' `rollback` says, as the circuit breaker does whatever its own says: a
 * deployment that may hold part of production traffic cannot be left failed with traffic split.
 */
import type { DeploymentConfiguration, ServiceDeploymentLifecycleStage } from './shapes.generated.ts';
import type { Plan, PlanTask } from './service-plan.ts';
import { CIRCUIT_BREAKER_REASON, failureThreshold } from './service-circuit-breaker.ts';
import { alarmFailureReason } from './service-deployment-alarms.ts';
import { CONTAINER_HEALTH_CHECKS_REASON } from './service-task-health.ts';

export type TrafficStrategy = 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
export type LifecycleStage = ServiceDeploymentLifecycleStage;

/** ECS's defaults (API reference: LinearConfiguration, CanaryConfiguration). */
export const DEFAULT_STEP_PERCENT = 10;
export const DEFAULT_STEP_BAKE_MINUTES = 6;
export const DEFAULT_CANARY_PERCENT = 5;
export const DEFAULT_CANARY_BAKE_MINUTES = 10;
export const DEFAULT_BAKE_MINUTES = 0;

export interface ShiftSettings {
  readonly strategy: TrafficStrategy;
  readonly bakeMinutes: number;
  readonly stepPercent: number;
  readonly stepBakeMinutes: number;
  readonly canaryPercent: number;
  readonly canaryBakeMinutes: number;
  /** How long an API minute lasts (60000; tests shorten it: BERTH_DEPLOYMENT_MINUTE_MS). */
  readonly minuteMs: number;
}

/** The traffic-shifting strategy of a deployment configuration; undefined for ROLLING. */
export function trafficStrategyOf(config: DeploymentConfiguration | undefined): TrafficStrategy | undefined {
  const strategy = config?.strategy ?? 'ROLLING';
  return strategy === 'ROLLING' ? undefined : strategy;
}

export function shiftSettings(config: DeploymentConfiguration, minuteMs: number): ShiftSettings {
  return {
    strategy: trafficStrategyOf(config) ?? 'BLUE_GREEN',
    bakeMinutes: config.bakeTimeInMinutes ?? DEFAULT_BAKE_MINUTES,
    stepPercent: config.linearConfiguration?.stepPercent ?? DEFAULT_STEP_PERCENT,
    stepBakeMinutes: config.linearConfiguration?.stepBakeTimeInMinutes ?? DEFAULT_STEP_BAKE_MINUTES,
    canaryPercent: config.canaryConfiguration?.canaryPercent ?? DEFAULT_CANARY_PERCENT,
    canaryBakeMinutes: config.canaryConfiguration?.canaryBakeTimeInMinutes ?? DEFAULT_CANARY_BAKE_MINUTES,
    minuteMs,
  };
}

/** Where a traffic-shifted deployment is; stored with the deployment. */
export interface ShiftState {
  readonly stage: LifecycleStage;
  /** The share of production traffic on the green tasks, in percent (0–100, one decimal). */
  readonly greenPercent: number;
  /** When the stage, or the current traffic step, began (epoch ms). */
  readonly since: number;
}

export const initialShift = (now: number): ShiftState => ({ stage: 'SCALE_UP', greenPercent: 0, since: now });

export interface ShiftInput {
  readonly state: ShiftState;
  readonly desiredCount: number;
  /** Green tasks RUNNING and healthy, their targets included. */
  readonly greenHealthy: number;
  /** A green task failed its health checks (containers or targets, after the grace period). */
  readonly greenUnhealthy: boolean;
  /** Green tasks that failed: to start, or their health checks (what the circuit breaker counts). */
  readonly greenFailed: number;
  readonly circuitBreaker: boolean;
  /** Tasks of the older (blue) deployments still wanted RUNNING. */
  readonly blueLeft: number;
  /** The deployment's watched alarms that went to ALARM since it started (none if not watched). */
  readonly alarmsTriggered?: readonly string[];
  readonly now: number;
}

export type ShiftOutcome = 'IN_PROGRESS' | 'COMPLETED' | 'ROLLBACK';

export interface ShiftStep {
  readonly state: ShiftState;
  readonly outcome: ShiftOutcome;
  /** Why, when the outcome is ROLLBACK. */
  readonly reason?: string;
  /** The alarms that rolled it back, when deployment alarms did. */
  readonly alarms?: readonly string[];
}

const round1 = (percent: number): number => Math.round(percent * 10) / 10;

/** The first production share and the wait after each share below 100%. */
function firstShare(settings: ShiftSettings): number {
  if (settings.strategy === 'LINEAR') return Math.min(100, settings.stepPercent);
  if (settings.strategy === 'CANARY') return Math.min(100, settings.canaryPercent);
  return 100;
}

function stepWaitMs(settings: ShiftSettings): number {
  if (settings.strategy === 'LINEAR') return settings.stepBakeMinutes * settings.minuteMs;
  if (settings.strategy === 'CANARY') return settings.canaryBakeMinutes * settings.minuteMs;
  return 0;
}

function nextShare(current: number, settings: ShiftSettings): number {
  return settings.strategy === 'LINEAR' ? Math.min(100, round1(current + settings.stepPercent)) : 100;
}

const hasTraffic = (stage: LifecycleStage): boolean =>
  stage === 'PRODUCTION_TRAFFIC_SHIFT' || stage === 'POST_PRODUCTION_TRAFFIC_SHIFT' || stage === 'BAKE_TIME';

/** One step of the lifecycle: instant stages are passed through in the same step. */
export function nextShift(input: ShiftInput, settings: ShiftSettings): ShiftStep {
  const { state, now } = input;
  if (state.stage !== 'CLEAN_UP') {
    if (input.circuitBreaker && input.greenFailed >= failureThreshold(input.desiredCount))
      return rollback(now, CIRCUIT_BREAKER_REASON);
    const alarms = input.alarmsTriggered ?? [];
    if (alarms.length > 0) return { ...rollback(now, alarmFailureReason(alarms)), alarms: [...alarms] };
    if (input.greenUnhealthy && hasTraffic(state.stage))
      return rollback(now, 'ECS deployment: tasks of the new deployment failed their health checks.');
  }
  switch (state.stage) {
    case 'PRODUCTION_TRAFFIC_SHIFT': {
      if (state.greenPercent >= 100) return progress({ stage: 'BAKE_TIME', greenPercent: 100, since: now });
      if (now - state.since < stepWaitMs(settings)) return progress(state);
      const greenPercent = nextShare(state.greenPercent, settings);
      const moved = { stage: state.stage, greenPercent, since: now };
      return greenPercent >= 100 ? progress({ ...moved, stage: 'BAKE_TIME' }) : progress(moved);
    }
    case 'POST_PRODUCTION_TRAFFIC_SHIFT':
      return progress({ stage: 'BAKE_TIME', greenPercent: 100, since: now });
    case 'BAKE_TIME':
      if (now - state.since < settings.bakeMinutes * settings.minuteMs) return progress(state);
      return progress({ stage: 'CLEAN_UP', greenPercent: 100, since: now });
    case 'CLEAN_UP':
      return input.blueLeft === 0 ? { state, outcome: 'COMPLETED' } : progress(state);
    default: {
      // RECONCILE_SERVICE to POST_TEST_TRAFFIC_SHIFT: green scales up with no production traffic.
      if (input.greenHealthy < input.desiredCount) return progress({ ...state, stage: 'SCALE_UP', greenPercent: 0 });
      const greenPercent = firstShare(settings);
      return progress({
        stage: greenPercent >= 100 ? 'BAKE_TIME' : 'PRODUCTION_TRAFFIC_SHIFT',
        greenPercent,
        since: now,
      });
    }
  }
}

/** Stages from TEST_TRAFFIC_SHIFT on: green is up and healthy, so the test listener rule forwards to it. */
const BEFORE_TEST_TRAFFIC: readonly LifecycleStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
];

/**
 * Whether test traffic (the test listener rule) goes to green after this step: once green has
 * scaled up and is healthy, until the deployment rolls back. Production follows greenPercent.
 */
export function testTrafficOnGreen(step: ShiftStep): boolean {
  return step.outcome !== 'ROLLBACK' && !BEFORE_TEST_TRAFFIC.includes(step.state.stage);
}

const progress = (state: ShiftState): ShiftStep => ({ state, outcome: 'IN_PROGRESS' });
const rollback = (now: number, reason: string): ShiftStep => ({
  state: { stage: 'PRODUCTION_TRAFFIC_SHIFT', greenPercent: 0, since: now },
  outcome: 'ROLLBACK',
  reason,
});

/**
 * The forward weights for a green share: whole percents as percents (90/10), tenths as per-mille
 * (ELBv2 weights are integers 0–999).
 */
export function forwardWeights(greenPercent: number): { blue: number; green: number } {
  if (Number.isInteger(greenPercent)) return { blue: 100 - greenPercent, green: greenPercent };
  const green = Math.round(greenPercent * 10);
  return { blue: 1000 - green, green };
}

/**
 * Tasks of a traffic-shifted deployment: green scales straight to the desired count (no
 * maximumPercent limit: blue keeps serving meanwhile), failing green tasks are replaced, blue
 * stays whole until CLEAN_UP, when it all goes.
 */
export function planShiftTasks(
  input: {
    readonly desiredCount: number;
    readonly green: string;
    /** The deployment with production traffic; tasks of any other older one (superseded) stop at once. */
    readonly blue: string | undefined;
    /** The older deployments: they retire once the deployment completed. */
    readonly olds: readonly string[];
    readonly tasks: readonly PlanTask[];
  },
  step: ShiftStep,
): Plan {
  const green = input.tasks.filter((t) => t.deployment === input.green);
  const blue = input.tasks.filter((t) => t.deployment !== input.green);
  if (step.outcome === 'ROLLBACK') return { start: 0, stop: [], retire: [], steady: false };
  const stop: { id: string; reason: string }[] = [];
  for (const task of green.filter((t) => t.unhealthy))
    stop.push({ id: task.id, reason: task.unhealthyReason ?? CONTAINER_HEALTH_CHECKS_REASON });
  const kept = green.filter((t) => !t.unhealthy);
  for (const task of kept.slice(input.desiredCount))
    stop.push({ id: task.id, reason: `Scaling activity initiated by (deployment ${input.green})` });
  const reason = `Scaling activity initiated by (deployment ${input.green})`;
  for (const task of blue)
    if (step.state.stage === 'CLEAN_UP' || task.deployment !== input.blue) stop.push({ id: task.id, reason });
  return {
    start: Math.max(0, input.desiredCount - kept.length),
    stop,
    ...(step.outcome === 'COMPLETED' ? { rollout: 'COMPLETED' as const } : {}),
    retire: step.outcome === 'COMPLETED' ? input.olds : [],
    steady: false,
  };
}
