import type { ContainerDefinition, TaskDefinitionPlacementConstraint, Volume } from './shapes.generated.ts';

/*
 * What Fargate refuses in a task definition, as the guide's "Amazon ECS task definition differences
 * for Fargate" lists it, worded as ECS words each refusal. Pure: RegisterTaskDefinition throws the
 * message when requiresCompatibilities names FARGATE, leaves FARGATE out of `compatibilities`
 * otherwise, and RunTask/CreateService refuse the FARGATE launch type for such a definition.
 *
 * Wording: seen in ECS's answers quoted by users: "<CAPABILITY> is not allowed on Fargate.", pidMode,
 * ipcMode, sharedMemorySize and sourcePath. The others follow ECS's "Fargate compatible task
 * definitions do not support <parameter>" pattern, except privileged, placement constraints and GPUs,
 * whose messages come from one source each.
 */

/** The parts of a task definition Fargate looks at: a registration and a stored definition both have them. */
export interface FargateCandidate {
  readonly containerDefinitions?: readonly ContainerDefinition[] | undefined;
  readonly volumes?: readonly Volume[] | undefined;
  readonly placementConstraints?: readonly TaskDefinitionPlacementConstraint[] | undefined;
  readonly pidMode?: string | undefined;
  readonly ipcMode?: string | undefined;
}

/** The one capability a Fargate container may add (the guide spells it CAP_SYS_PTRACE, the API SYS_PTRACE). */
const ADDABLE_CAPABILITIES: ReadonlySet<string> = new Set(['SYS_PTRACE', 'CAP_SYS_PTRACE']);

const unsupported = (parameter: string) => `Fargate compatible task definitions do not support ${parameter}`;

/** The first part of `definition` Fargate refuses, as ECS's message; undefined when Fargate takes it all. */
export function fargateProblem(definition: FargateCandidate): string | undefined {
  if (definition.pidMode !== undefined && definition.pidMode !== 'task') {
    return `Tasks using the Fargate launch type do not support pidMode '${definition.pidMode}'. The supported value for pidMode is 'task'.`;
  }
  if (definition.ipcMode !== undefined) return 'Tasks using the Fargate launch type do not support ipcMode.';
  if ((definition.placementConstraints ?? []).length > 0) return unsupported('constraints');
  for (const volume of definition.volumes ?? []) {
    if (volume.host?.sourcePath !== undefined) return unsupported('sourcePath');
    if (volume.dockerVolumeConfiguration !== undefined) return unsupported('dockerVolumeConfiguration');
  }
  for (const container of definition.containerDefinitions ?? []) {
    const problem = containerProblem(container);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * What Fargate needs an execution role for that the definition lacks one for, as ECS words it
 * (quoted by users: "Fargate requires task definition to have execution role ARN to support ECR
 * images." and "... log driver awslogs."): pulling an image from ECR (`isEcrImage`: ECR's host
 * pattern or one of Berth's own registry hosts) and shipping awslogs. Undefined when it has one or
 * needs none. Checked on registration only: a stored definition keeps the compatibilities it got.
 */
export function fargateExecutionRoleProblem(
  definition: FargateCandidate & { readonly executionRoleArn?: string | undefined },
  isEcrImage: (image: string) => boolean,
): string | undefined {
  if (definition.executionRoleArn) return undefined;
  const containers = definition.containerDefinitions ?? [];
  if (containers.some((c) => c.image !== undefined && isEcrImage(c.image))) {
    return 'Fargate requires task definition to have execution role ARN to support ECR images.';
  }
  if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
    return 'Fargate requires task definition to have execution role ARN to support log driver awslogs.';
  }
  return undefined;
}

/** Whether a stored definition runs on Fargate: registered as compatible, and still so by today's rules. */
export function runsOnFargate(
  definition: FargateCandidate & { readonly compatibilities?: readonly string[] },
): boolean {
  return (definition.compatibilities ?? []).includes('FARGATE') && fargateProblem(definition) === undefined;
}

function containerProblem(c: ContainerDefinition): string | undefined {
  if (c.privileged === true) return "Fargate requires that the 'privileged' setting be 'false'";
  const linux = c.linuxParameters;
  const added = linux?.capabilities?.add?.find((capability) => !ADDABLE_CAPABILITIES.has(capability));
  if (added !== undefined) return `${added} is not allowed on Fargate.`;
  const parameter = unsupportedParameters(c).find(([, isSet]) => isSet)?.[0];
  if (parameter !== undefined) return unsupported(parameter);
  if (c.resourceRequirements?.some((r) => r.type === 'GPU')) {
    return 'Tasks using the Fargate launch type do not support GPU resource requirements';
  }
  return undefined;
}

/** Each container parameter Fargate does not support, and whether the container sets it. */
function unsupportedParameters(c: ContainerDefinition): [string, boolean][] {
  const linux = c.linuxParameters;
  return [
    ['devices', (linux?.devices ?? []).length > 0],
    ['sharedMemorySize', linux?.sharedMemorySize !== undefined],
    ['tmpfs', (linux?.tmpfs ?? []).length > 0],
    ['maxSwap', linux?.maxSwap !== undefined],
    ['swappiness', linux?.swappiness !== undefined],
    ['disableNetworking', c.disableNetworking === true],
    ['dnsServers', (c.dnsServers ?? []).length > 0],
    ['dnsSearchDomains', (c.dnsSearchDomains ?? []).length > 0],
    ['extraHosts', (c.extraHosts ?? []).length > 0],
    ['dockerSecurityOptions', (c.dockerSecurityOptions ?? []).length > 0],
    ['links', (c.links ?? []).length > 0],
  ];
}
