/**
 * What CreateService and UpdateService check of a deployment strategy (ROLLING, BLUE_GREEN, LINEAR,
 * CANARY), with ECS's bounds (API reference: DeploymentConfiguration, LinearConfiguration,
 * CanaryConfiguration, AdvancedConfiguration).
 */
import { InvalidParameterException } from './errors.ts';
import {
  loadBalancersProblem,
  type ForwardWeight,
  type LoadBalancing,
  type TargetGroupInfo,
} from './service-load-balancing.ts';
import { alarmsConfiguration } from './service-deployment-alarms.ts';
import type { DeploymentConfiguration, DeploymentController, LoadBalancer } from './shapes.generated.ts';

const STRATEGIES = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'];
const MAX_BAKE_MINUTES = 1440;

/** A multiple of 0.1 (within floating point), from min to max. */
const isTenthIn = (value: number, min: number, max: number): boolean =>
  value >= min && value <= max && Math.abs(value * 10 - Math.round(value * 10)) < 1e-6;

function checkMinutes(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > MAX_BAKE_MINUTES)
    throw new InvalidParameterException(`${name} must be a whole number of minutes from 0 to ${MAX_BAKE_MINUTES}.`);
}

function checkLinear(given: DeploymentConfiguration, strategy: string): void {
  const linear = given.linearConfiguration;
  if (!linear) return;
  if (strategy !== 'LINEAR')
    throw new InvalidParameterException('linearConfiguration is only valid with the LINEAR deployment strategy.');
  if (linear.stepPercent !== undefined && !isTenthIn(linear.stepPercent, 3, 100))
    throw new InvalidParameterException('stepPercent must be a multiple of 0.1 from 3.0 to 100.0.');
  checkMinutes('stepBakeTimeInMinutes', linear.stepBakeTimeInMinutes);
}

function checkCanary(given: DeploymentConfiguration, strategy: string): void {
  const canary = given.canaryConfiguration;
  if (!canary) return;
  if (strategy !== 'CANARY')
    throw new InvalidParameterException('canaryConfiguration is only valid with the CANARY deployment strategy.');
  if (canary.canaryPercent !== undefined && !isTenthIn(canary.canaryPercent, 0.1, 100))
    throw new InvalidParameterException('canaryPercent must be a multiple of 0.1 from 0.1 to 100.0.');
  checkMinutes('canaryBakeTimeInMinutes', canary.canaryBakeTimeInMinutes);
}

/** The strategy fields of a deployment configuration, checked; nothing when none is given. */
export function strategyConfiguration(
  given: DeploymentConfiguration | undefined,
  controller: DeploymentController | undefined,
): DeploymentConfiguration {
  if (!given) return {};
  const strategy = given.strategy ?? 'ROLLING';
  if (!STRATEGIES.includes(strategy))
    throw new InvalidParameterException(`strategy must be one of ${STRATEGIES.join(', ')}.`);
  if ((given.lifecycleHooks ?? []).length > 0)
    throw new InvalidParameterException(
      'Berth does not support deployment lifecycle hooks: lifecycleHooks invoke AWS Lambda functions.',
    );
  if (strategy !== 'ROLLING' && (controller?.type ?? 'ECS') !== 'ECS')
    throw new InvalidParameterException(`The ${strategy} deployment strategy requires the ECS deployment controller.`);
  checkMinutes('bakeTimeInMinutes', given.bakeTimeInMinutes);
  checkLinear(given, strategy);
  checkCanary(given, strategy);
  return {
    strategy,
    ...(given.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: given.bakeTimeInMinutes } : {}),
    ...(given.linearConfiguration ? { linearConfiguration: given.linearConfiguration } : {}),
    ...(given.canaryConfiguration ? { canaryConfiguration: given.canaryConfiguration } : {}),
  };
}

/** A service's deployment configuration with ECS's defaults, checked. */
export function deploymentConfiguration(
  given: DeploymentConfiguration | undefined,
  daemon: boolean,
  controller?: DeploymentController,
): DeploymentConfiguration {
  const maximumPercent = given?.maximumPercent ?? (daemon ? 100 : 200);
  const minimumHealthyPercent = given?.minimumHealthyPercent ?? (daemon ? 0 : 100);
  if (maximumPercent < 100 && !daemon) throw new InvalidParameterException('maximumPercent must be at least 100.');
  if (minimumHealthyPercent < 0 || minimumHealthyPercent > 100)
    throw new InvalidParameterException('minimumHealthyPercent must be between 0 and 100.');
  return {
    deploymentCircuitBreaker: given?.deploymentCircuitBreaker ?? { enable: false, rollback: false },
    maximumPercent,
    minimumHealthyPercent,
    ...strategyConfiguration(given, controller),
    ...alarmsConfiguration(given?.alarms, {
      controller: controller?.type ?? 'ECS',
      strategy: given?.strategy ?? 'ROLLING',
      daemon,
    }),
  };
}

/** UpdateService's configuration over the stored one; a new strategy drops the old one's settings. */
export function mergedConfiguration(
  stored: DeploymentConfiguration | undefined,
  given: DeploymentConfiguration,
): DeploymentConfiguration {
  const merged = { ...stored, ...given };
  if (given.strategy !== undefined && given.strategy !== stored?.strategy) {
    if (!given.linearConfiguration) delete merged.linearConfiguration;
    if (!given.canaryConfiguration) delete merged.canaryConfiguration;
  }
  return merged;
}

/**
 * A traffic-shifting strategy's load balancers: each has an advancedConfiguration whose alternate
 * target group exists (and fits like the primary) and whose production listener rule exists and
 * forwards to the primary group (alone, or with the alternate). Undefined when they are fine.
 */
export async function trafficShiftProblem(
  balancing: LoadBalancing,
  loadBalancers: readonly LoadBalancer[],
  definition: Parameters<typeof loadBalancersProblem>[1] | undefined,
): Promise<string | undefined> {
  for (const lb of loadBalancers) {
    const advanced = lb.advancedConfiguration;
    if (!advanced?.alternateTargetGroupArn || !advanced.productionListenerRule)
      return 'advancedConfiguration with alternateTargetGroupArn and productionListenerRule is required for each load balancer with the BLUE_GREEN, LINEAR and CANARY deployment strategies.';
    const alternate = advanced.alternateTargetGroupArn;
    if (alternate === lb.targetGroupArn)
      return `The alternate target group ${alternate} must differ from the target group of the load balancer.`;
    const group = await balancing.targetGroup(alternate);
    if (!group) return `The alternate target group with targetGroupArn ${alternate} does not exist.`;
    if (definition) {
      // The alternate may have no load balancer yet: it gets one when ECS rewrites the production rule.
      const groups = new Map<string, TargetGroupInfo>([
        [alternate, { ...group, loadBalancerArns: ['(production rule)'] }],
      ]);
      const problem = loadBalancersProblem([{ ...lb, targetGroupArn: alternate }], definition, groups);
      if (problem) return problem;
    }
    const forward = await balancing.forwardOf(advanced.productionListenerRule);
    if (forward === undefined) return `The production listener rule ${advanced.productionListenerRule} does not exist.`;
    const inPair = (g: ForwardWeight): boolean =>
      g.targetGroupArn === lb.targetGroupArn || g.targetGroupArn === alternate;
    const fits =
      forward.length > 0 && forward.every(inPair) && forward.some((g) => g.targetGroupArn === lb.targetGroupArn);
    if (!fits)
      return `The production listener rule ${advanced.productionListenerRule} must forward to the target group ${lb.targetGroupArn} (and may forward to the alternate target group ${alternate}), and to no other.`;
    if (advanced.testListenerRule !== undefined) {
      const test = await balancing.forwardOf(advanced.testListenerRule);
      if (test === undefined) return `The test listener rule ${advanced.testListenerRule} does not exist.`;
      if (!test.every(inPair))
        return `The test listener rule ${advanced.testListenerRule} must forward to the target group ${lb.targetGroupArn} or the alternate target group ${alternate}, and to no other.`;
    }
  }
  return undefined;
}
