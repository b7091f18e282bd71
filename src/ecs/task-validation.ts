import type { ClusterRecord } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import { runsOnFargate } from './fargate-rules.ts';
import type { LaunchType, RunTaskRequest, TaskDefinition } from './shapes.generated.ts';

/** The launch type a RunTask gets: the call's, or its capacity providers' (FARGATE, FARGATE_SPOT: FARGATE). */
export function launchTypeOf(input: RunTaskRequest, cluster: ClusterRecord): LaunchType {
  if (input.launchType !== undefined && input.capacityProviderStrategy !== undefined) {
    throw new InvalidParameterException(
      'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    );
  }
  if (input.launchType !== undefined) return input.launchType;
  const strategy =
    input.capacityProviderStrategy ??
    (cluster.details.defaultCapacityProviderStrategy as RunTaskRequest['capacityProviderStrategy']);
  if (strategy && strategy.length > 0) {
    const associated = new Set((cluster.details.capacityProviders ?? []) as string[]);
    const providers = strategy.map((item) => item.capacityProvider);
    const missing = providers.find((p) => !associated.has(p));
    if (missing !== undefined) {
      throw new InvalidParameterException(
        `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`,
      );
    }
    const fargate = providers.filter((p) => p === 'FARGATE' || p === 'FARGATE_SPOT').length;
    if (fargate === providers.length) return 'FARGATE';
    if (fargate > 0) {
      throw new InvalidParameterException(
        'A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.',
      );
    }
  }
  return 'EC2';
}

export function checkOverrides(
  definition: TaskDefinition,
  overrides: RunTaskRequest['overrides'],
  enableExecuteCommand?: boolean,
): void {
  // ECS Exec runs its agent with the task role: a task without one cannot have it.
  if (enableExecuteCommand && !(overrides?.taskRoleArn ?? definition.taskRoleArn))
    throw new InvalidParameterException(
      'The execute command failed because a valid task role is not being used. Specify a valid task role in your task definition or as a task override and try again.',
    );
  const names = new Set((definition.containerDefinitions ?? []).map((c) => c.name));
  for (const override of overrides?.containerOverrides ?? []) {
    if (override.name !== undefined && !names.has(override.name)) {
      throw new InvalidParameterException(
        `Override for container named ${override.name} is not a container in the TaskDefinition.`,
      );
    }
  }
}

/**
 * The launch type and network configuration against the definition. FARGATE also re-checks the
 * definition against Fargate's rules: one registered before a rule existed may list FARGATE in its
 * compatibilities, and managed capacity must never get what Fargate refuses.
 */
export function checkNetwork(definition: TaskDefinition, input: RunTaskRequest, launchType: LaunchType): void {
  const awsvpc = definition.networkMode === 'awsvpc';
  if (launchType === 'FARGATE' && !runsOnFargate(definition)) {
    throw new InvalidParameterException('Task definition does not support launch_type FARGATE.');
  }
  if (launchType === 'EC2' && !(definition.compatibilities ?? []).includes('EC2')) {
    throw new InvalidParameterException('Task definition does not support launch_type EC2.');
  }
  if (awsvpc && !input.networkConfiguration?.awsvpcConfiguration) {
    throw new InvalidParameterException(
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
  }
  if (!awsvpc && input.networkConfiguration) {
    throw new InvalidParameterException(
      'Network Configuration is not valid for the given networkMode of this task definition.',
    );
  }
  const subnets = input.networkConfiguration?.awsvpcConfiguration?.subnets;
  if (awsvpc && (!subnets || subnets.length === 0)) {
    throw new InvalidParameterException('subnets can not be empty.');
  }
}
