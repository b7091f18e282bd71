import type { ContainerDefinition, TaskAssignment } from '../ecs/index.ts';

/*
 * The variables ECS sets in every container, beside the task metadata endpoint's URIs (the
 * developer guide's "Amazon ECS environment variables"):
 *   AWS_EXECUTION_ENV   AWS_ECS_FARGATE on Fargate, AWS_ECS_EC2 on EC2
 *   AWS_REGION, AWS_DEFAULT_REGION   the task's region; the ECS agent leaves both out when the
 *                       container's environment or environment files set either of them.
 * ECS_AGENT_URI, the base of the agent API (task scale-in protection), comes with the metadata URIs
 * from the endpoint that serves it (metadata/metadata-server.ts).
 */

const EXECUTION_ENV: Readonly<Record<string, string>> = { FARGATE: 'AWS_ECS_FARGATE', EC2: 'AWS_ECS_EC2' };
const REGION_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/** What ECS adds to one container's environment; `environmentFiles` are the variables read from its files. */
export function ecsEnvironment(
  task: Pick<TaskAssignment, 'taskArn' | 'launchType'>,
  container: Pick<ContainerDefinition, 'environment'>,
  environmentFiles: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const variables: Record<string, string> = {};
  const executionEnv = EXECUTION_ENV[task.launchType];
  if (executionEnv !== undefined) variables.AWS_EXECUTION_ENV = executionEnv;
  const region = task.taskArn.split(':')[3];
  const given = new Set([...(container.environment ?? []).map((pair) => pair.name), ...Object.keys(environmentFiles)]);
  if (region && !REGION_VARIABLES.some((name) => given.has(name))) {
    for (const name of REGION_VARIABLES) variables[name] = region;
  }
  return variables;
}
