/**
 * The I/O side of blue/green, linear and canary deployments (the decisions are in
 * service-traffic-shift.ts). Each deployment records the target groups its tasks register in
 * (`targetGroups`, one per load balancer): a traffic-shifted deployment gets the groups that
 * carry no production traffic, the others those of the deployment before. So which group is blue
 * lives in the service's deployments, and the roles swap when a deployment completes. Weights are
 * written to each production listener rule through the ELBv2 control plane (ModifyRule's path).
 */
import type { TaskRecord } from '../store/index.ts';
import type { ForwardWeight, LoadBalancing } from './service-load-balancing.ts';
import { loadBalancersOf } from './service-targets.ts';
import type { Plan, PlanTask } from './service-plan.ts';
import { CIRCUIT_BREAKER_REASON, deploymentFailedEvent } from './service-circuit-breaker.ts';
import { alarmFailedEvent, type AlarmWatchState } from './service-deployment-alarms.ts';
import {
  forwardWeights,
  initialShift,
  nextShift,
  planShiftTasks,
  shiftSettings,
  testTrafficOnGreen,
  trafficStrategyOf,
  type LifecycleStage,
  type ShiftState,
} from './service-traffic-shift.ts';
import type { Deployment, LoadBalancer, Service } from './shapes.generated.ts';

/** A deployment as the service body stores it, with what blue/green adds. */
export type ShiftedDeployment = Deployment & {
  targetGroups?: string[];
  shift?: ShiftState;
  lifecycleStage?: LifecycleStage;
  alarmWatch?: AlarmWatchState;
};

/** The target groups of a deployment's tasks: its own, or the service's. */
function groupsOf(deployment: ShiftedDeployment | undefined, service: Service): string[] {
  return deployment?.targetGroups ?? loadBalancersOf(service).map((lb) => lb.targetGroupArn!);
}

const otherGroup = (lb: LoadBalancer, group: string): string =>
  group === lb.targetGroupArn ? (lb.advancedConfiguration?.alternateTargetGroupArn ?? group) : lb.targetGroupArn!;

/**
 * The deployment production traffic is on: the newest completed one that still has tasks (a
 * deployment replaced while it was shifting is not blue: its tasks are in the green groups), else
 * the newest with tasks.
 */
function blueOf(
  olds: readonly ShiftedDeployment[],
  hasTasks: (d: ShiftedDeployment) => boolean,
): ShiftedDeployment | undefined {
  return olds.find((d) => d.rolloutState === 'COMPLETED' && hasTasks(d)) ?? olds.find(hasTasks);
}

/** Every group the service's tasks may be registered in. */
export function serviceTargetGroups(service: Service): string[] {
  return loadBalancersOf(service).flatMap((lb) => [
    lb.targetGroupArn!,
    ...(lb.advancedConfiguration?.alternateTargetGroupArn ? [lb.advancedConfiguration.alternateTargetGroupArn] : []),
  ]);
}

/**
 * Gives a new primary deployment its target groups (once): a traffic-shifted one whose older
 * deployment still has tasks gets the other group of each pair and starts at SCALE_UP; any other
 * keeps the groups of the deployment before it.
 */
export function assignTargetGroups(
  service: Service,
  deployments: readonly ShiftedDeployment[],
  at: { readonly tasks: readonly TaskRecord[]; readonly now: Date },
): ShiftedDeployment[] {
  const [primary, ...olds] = deployments;
  const lbs = loadBalancersOf(service);
  if (!primary || primary.targetGroups || lbs.length === 0) return [...deployments];
  const blue = blueOf(olds, (d) => at.tasks.some((t) => t.startedBy === d.id));
  const live = groupsOf(blue ?? olds[0], service);
  const shifted =
    trafficStrategyOf(service.deploymentConfiguration) !== undefined &&
    blue !== undefined &&
    lbs.every((lb) => lb.advancedConfiguration?.alternateTargetGroupArn);
  if (!shifted) return [{ ...primary, targetGroups: live }, ...olds];
  const shift = initialShift(at.now.getTime());
  const targetGroups = lbs.map((lb, i) => otherGroup(lb, live[i] ?? lb.targetGroupArn!));
  return [{ ...primary, targetGroups, shift, lifecycleStage: shift.stage }, ...olds];
}

/** A task's load balancers: its deployment's groups (both of each pair when its deployment is gone). */
export function taskLoadBalancers(
  service: Service,
  deployments: readonly ShiftedDeployment[],
): (task: TaskRecord) => readonly LoadBalancer[] {
  const lbs = loadBalancersOf(service);
  return (task) => {
    const deployment = deployments.find((d) => d.id === task.startedBy);
    if (!deployment?.targetGroups)
      return lbs.flatMap((lb) =>
        serviceTargetGroups({ loadBalancers: [lb] }).map((g) => ({ ...lb, targetGroupArn: g })),
      );
    return lbs.map((lb, i) => ({ ...lb, targetGroupArn: deployment.targetGroups![i] ?? lb.targetGroupArn! }));
  };
}

export const isShifting = (deployments: readonly ShiftedDeployment[]): boolean =>
  deployments[0]?.rolloutState === 'IN_PROGRESS' && deployments[0].shift !== undefined;

export interface ShiftResult {
  readonly plan: Plan;
  readonly deployments: ShiftedDeployment[];
  /** Service events to add, oldest first. */
  readonly messages: string[];
  /** The service's task definition after a rollback. */
  readonly taskDefinition?: string | undefined;
}

/** One scheduler pass of a traffic-shifted deployment: the weights written, the tasks to start and stop. */
export async function shiftTraffic(
  balancing: LoadBalancing,
  input: {
    readonly service: Service;
    readonly name: string;
    readonly deployments: readonly ShiftedDeployment[];
    readonly tasks: readonly PlanTask[];
    readonly now: Date;
    readonly minuteMs: number;
    /** The primary's watched alarms that went to ALARM since it started (service-rollout.ts failOnAlarms). */
    readonly alarmsTriggered?: readonly string[] | undefined;
  },
): Promise<ShiftResult> {
  const { service, now } = input;
  const [primary, ...olds] = input.deployments as [ShiftedDeployment, ...ShiftedDeployment[]];
  const green = input.tasks.filter((t) => t.deployment === primary.id);
  const blueTasks = input.tasks.filter((t) => t.deployment !== primary.id);
  const blue = blueOf(olds, (d) => blueTasks.some((t) => t.deployment === d.id));
  const config = service.deploymentConfiguration ?? {};
  const step = nextShift(
    {
      state: primary.shift ?? initialShift(now.getTime()),
      desiredCount: service.desiredCount ?? 0,
      greenHealthy: green.filter((t) => t.healthy).length,
      greenUnhealthy: green.some((t) => t.unhealthy),
      greenFailed: primary.failedTasks ?? 0,
      circuitBreaker: config.deploymentCircuitBreaker?.enable ?? false,
      blueLeft: blueTasks.length,
      alarmsTriggered: input.alarmsTriggered ?? [],
      now: now.getTime(),
    },
    shiftSettings(config, input.minuteMs),
  );
  await writeWeights(balancing, service, {
    blue: groupsOf(blue, service),
    green: primary.targetGroups ?? groupsOf(undefined, service),
    greenPercent: step.state.greenPercent,
    testOnGreen: testTrafficOnGreen(step),
  });
  const plan = planShiftTasks(
    {
      desiredCount: service.desiredCount ?? 0,
      green: primary.id!,
      blue: blue?.id,
      olds: olds.map((d) => d.id!),
      tasks: input.tasks,
    },
    step,
  );
  const current = { ...primary, shift: step.state, lifecycleStage: step.state.stage };
  if (step.outcome !== 'ROLLBACK' || !blue) return { plan, deployments: [current, ...olds], messages: [] };
  // Rollback: production traffic is back on blue, which becomes the primary again; green's tasks
  // go as the rolling scheduler retires an older deployment's.
  const failed: ShiftedDeployment = {
    ...current,
    status: 'ACTIVE',
    rolloutState: 'FAILED',
    rolloutStateReason: step.reason,
    updatedAt: now,
    // DescribeServiceDeployments' alarms: TRIGGERED with these (service-deployment-alarms.ts).
    ...(step.alarms ? { alarmWatch: { ...current.alarmWatch, triggered: step.alarms } } : {}),
  };
  const rest = olds.filter((d) => d !== blue).map((d) => ({ ...d, status: 'ACTIVE' }));
  return {
    plan,
    deployments: [{ ...blue, status: 'PRIMARY', updatedAt: now }, failed, ...rest],
    messages: [
      failedMessage(step, { service: service.serviceName ?? '', name: input.name, deployment: primary.id! }),
      `${input.name} rolling back to deployment ${blue.id}.`,
    ],
    taskDefinition: blue.taskDefinition,
  };
}

/** The service event of a rolled-back deployment: the circuit breaker's and the alarms' in ECS's words. */
function failedMessage(
  step: { readonly reason?: string | undefined; readonly alarms?: readonly string[] | undefined },
  at: { readonly service: string; readonly name: string; readonly deployment: string },
): string {
  if (step.alarms) return alarmFailedEvent(at.service, at.deployment);
  if (step.reason === CIRCUIT_BREAKER_REASON) return deploymentFailedEvent(at.service, at.deployment);
  return `${at.name} (deployment ${at.deployment}) deployment failed: ${step.reason}`;
}

/**
 * Sets each production listener rule to forward greenPercent to green, the rest to blue, and each
 * test listener rule all to green once green is ready for test traffic, else all to blue. A rule
 * is written only when it differs.
 */
async function writeWeights(
  balancing: LoadBalancing,
  service: Service,
  at: {
    readonly blue: readonly string[];
    readonly green: readonly string[];
    readonly greenPercent: number;
    readonly testOnGreen: boolean;
  },
): Promise<void> {
  const weights = forwardWeights(at.greenPercent);
  for (const [i, lb] of loadBalancersOf(service).entries()) {
    const blue = at.blue[i];
    const green = at.green[i];
    if (!blue || !green || blue === green) continue;
    const production = lb.advancedConfiguration?.productionListenerRule;
    if (production) await setWeights(balancing, production, { blue, green, weights });
    const test = lb.advancedConfiguration?.testListenerRule;
    if (test) await setWeights(balancing, test, { blue, green, weights: forwardWeights(at.testOnGreen ? 100 : 0) });
  }
}

async function setWeights(
  balancing: LoadBalancing,
  rule: string,
  at: { readonly blue: string; readonly green: string; readonly weights: { blue: number; green: number } },
): Promise<void> {
  const wanted: ForwardWeight[] = [
    { targetGroupArn: at.blue, weight: at.weights.blue },
    { targetGroupArn: at.green, weight: at.weights.green },
  ];
  const current = await balancing.forwardOf(rule);
  const same =
    current?.length === wanted.length &&
    wanted.every((w) => current.some((c) => c.targetGroupArn === w.targetGroupArn && c.weight === w.weight));
  if (!same) await balancing.setForward(rule, wanted);
}
