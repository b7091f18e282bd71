import { parseArn } from '../shared/arn.ts';
import { ClientException } from './errors.ts';
import { fargateExecutionRoleProblem, fargateProblem } from './fargate-rules.ts';
import type { Compatibility, ContainerDefinition, RegisterTaskDefinitionRequest, Volume } from './shapes.generated.ts';

/*
 * What RegisterTaskDefinition checks beyond the model's types, and what it derives, as ECS does.
 * Pure: the input in, a ClientException (worded as ECS words it) or the derived fields out.
 */

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;
const CONTAINER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
export const MAX_CONTAINERS = 10;
/** Docker refuses a container with less memory than this. */
const MIN_CONTAINER_MEMORY_MIB = 6;
/** An image in ECR, by the pattern ECS itself matches ECR's registry hosts with. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[^/]+\.amazonaws\.com(\.cn)?\//;
/** A Parameter Store name as a secret may give it: letters, digits, . - _ and /, a path starting with /. */
const PARAMETER_NAME = /^(?:[a-zA-Z0-9_.-]+|(?:\/[a-zA-Z0-9_.-]+)+)$/;

/** Fargate's task sizes: CPU units → allowed memory in MiB. */
const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Task-level cpu ("1024", "1 vCPU", "0.5 vcpu") in CPU units. */
export function parseTaskCpu(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(vcpu)?\s*$/i.exec(value);
  if (!match) throw new ClientException(`Invalid 'cpu' setting for task: '${value}'.`);
  const n = Number(match[1]);
  return Math.round(match[2] ? n * 1024 : n);
}

/** Task-level memory ("2048", "2 GB", "2gb") in MiB. */
export function parseTaskMemory(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(gb)?\s*$/i.exec(value);
  if (!match) throw new ClientException(`Invalid 'memory' setting for task: '${value}'.`);
  const n = Number(match[1]);
  return Math.round(match[2] ? n * 1024 : n);
}

/**
 * Whether an image is pulled from ECR: ECS's pattern for ECR's hosts, or, Berth being the ECR, one
 * of `registryHosts`, the hosts Berth's own registry answers at ("localhost:4510").
 */
export function isEcrImage(image: string, registryHosts: readonly string[] = []): boolean {
  if (ECR_IMAGE.test(image)) return true;
  const slash = image.indexOf('/');
  if (slash === -1) return false;
  const host = image.slice(0, slash).toLowerCase();
  return registryHosts.some((registryHost) => registryHost.toLowerCase() === host);
}

/** Where a secret comes from: Secrets Manager (asm) or Parameter Store (ssm), as the agent's capabilities name them. */
export type SecretSource = 'asm' | 'ssm';

/**
 * Where a secret's valueFrom points: a Secrets Manager secret's ARN (with or without a JSON key,
 * stage and version after it), a Parameter Store parameter's ARN, or a parameter's name (a name
 * like "/aws/reference/secretsmanager/db" reaches Secrets Manager through Parameter Store).
 * Undefined for anything else, which ECS refuses as an invalid parameter name.
 */
export function secretSourceOf(valueFrom: string): SecretSource | undefined {
  if (valueFrom.startsWith('arn:')) {
    const arn = parseArn(valueFrom);
    if (arn?.service === 'secretsmanager' && arn.resource.startsWith('secret:')) return 'asm';
    if (arn?.service === 'ssm' && arn.resource.startsWith('parameter/')) return 'ssm';
    return undefined;
  }
  // 1011: Parameter Store's longest name (ssm/names.ts).
  return valueFrom.length <= 1011 && PARAMETER_NAME.test(valueFrom) ? 'ssm' : undefined;
}

/** Whether an image is pulled from ECR. */
export type ImageTest = (image: string) => boolean;

export interface CheckOptions {
  /**
   * Whether a container's image is pulled from ECR (on Fargate it then needs an execution role):
   * by default ECS's pattern for ECR's hosts alone; task-definitions.ts adds Berth's registry hosts.
   */
  readonly isEcrImage?: ImageTest | undefined;
}

export interface DerivedFields {
  readonly networkMode: string;
  readonly compatibilities: Compatibility[];
  readonly requiresAttributes: { name: string }[];
  readonly cpu: string | undefined;
  readonly memory: string | undefined;
}

/** Validates a registration; returns the fields ECS derives from it. */
export function checkTaskDefinition(input: RegisterTaskDefinitionRequest, options: CheckOptions = {}): DerivedFields {
  const ecrImage = options.isEcrImage ?? ((image: string) => isEcrImage(image));
  if (!FAMILY.test(input.family)) {
    throw new ClientException(
      'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
    );
  }
  const containers = input.containerDefinitions;
  if (containers.length === 0) throw new ClientException('Container definitions must contain at least one container.');
  if (containers.length > MAX_CONTAINERS) {
    throw new ClientException(
      `Too many containers: a task definition can have at most ${MAX_CONTAINERS} (got ${containers.length}).`,
    );
  }
  const requires = input.requiresCompatibilities ?? [];
  const fargate = requires.includes('FARGATE');
  const networkMode = input.networkMode ?? (fargate ? 'awsvpc' : 'bridge');
  if (fargate && networkMode !== 'awsvpc') throw new ClientException("Fargate only supports network mode 'awsvpc'.");
  const taskCpu = parseTaskCpu(input.cpu);
  const taskMemory = parseTaskMemory(input.memory);
  if (fargate) checkFargate(input, { cpu: taskCpu, memory: taskMemory, isEcrImage: ecrImage });
  checkContainers(containers, networkMode, taskMemory);
  for (const c of containers) checkSecrets(c, input.executionRoleArn);
  checkVolumes(input, containers);
  if ((input.placementConstraints ?? []).length > 10)
    throw new ClientException('Too many placement constraints: at most 10.');
  if (input.ephemeralStorage && (input.ephemeralStorage.sizeInGiB < 21 || input.ephemeralStorage.sizeInGiB > 200)) {
    throw new ClientException('The ephemeral storage size must be between 21 and 200 GiB.');
  }
  return {
    networkMode,
    compatibilities: compatibilitiesOf(input, { networkMode, cpu: taskCpu, memory: taskMemory, isEcrImage: ecrImage }),
    requiresAttributes: requiresAttributesOf(input, { networkMode, isEcrImage: ecrImage }),
    cpu: taskCpu === undefined ? undefined : String(taskCpu),
    memory: taskMemory === undefined ? undefined : String(taskMemory),
  };
}

/** Fargate's own rules: a task size it offers, what it refuses (fargate-rules.ts), the execution role it needs. */
function checkFargate(
  input: RegisterTaskDefinitionRequest,
  options: { cpu: number | undefined; memory: number | undefined; isEcrImage: ImageTest },
): void {
  const { cpu, memory } = options;
  if (cpu === undefined || memory === undefined) {
    throw new ClientException("Fargate requires that 'cpu' and 'memory' be defined at the task level.");
  }
  if (!FARGATE_SIZES.get(cpu)?.includes(memory)) {
    throw new ClientException(
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. Please see the documentation for the list of valid combinations.`,
    );
  }
  const problem = fargateProblem(input) ?? fargateExecutionRoleProblem(input, options.isEcrImage);
  if (problem !== undefined) throw new ClientException(problem);
}

function checkContainers(
  containers: readonly ContainerDefinition[],
  networkMode: string,
  taskMemory: number | undefined,
): void {
  const names = new Set<string>();
  for (const c of containers) {
    if (!c.name || !CONTAINER_NAME.test(c.name)) {
      throw new ClientException(
        'Container.name should not be null or empty, and may contain up to 255 letters, numbers, hyphens, and underscores.',
      );
    }
    if (names.has(c.name))
      throw new ClientException(
        `Duplicate container name '${c.name}': container names must be unique within a task definition.`,
      );
    names.add(c.name);
    checkContainer(c, networkMode, taskMemory);
  }
  if (!containers.some((c) => c.essential !== false))
    throw new ClientException('Task definition does not have any essential container.');
  checkDependencies(containers);
  for (const c of containers) checkReferences(c, names);
}

function checkContainer(c: ContainerDefinition, networkMode: string, taskMemory: number | undefined): void {
  if (!c.image) throw new ClientException('Container.image should not be null or empty.');
  checkMemory(c, taskMemory);
  checkPorts(c, networkMode);
  if (c.links && c.links.length > 0 && networkMode !== 'bridge') {
    throw new ClientException(`Links are not supported when networkMode=${networkMode}.`);
  }
  if (c.healthCheck) checkHealthCheck(c.name!, c.healthCheck);
  for (const u of c.ulimits ?? []) {
    if (u.softLimit > u.hardLimit)
      throw new ClientException(
        `Invalid ulimit '${u.name}' for container '${c.name}': softLimit must not exceed hardLimit.`,
      );
  }
}

/** links and volumesFrom name other containers of the task. */
function checkReferences(c: ContainerDefinition, names: ReadonlySet<string>): void {
  for (const link of c.links ?? []) {
    const target = link.split(':')[0]!;
    if (!names.has(target) || target === c.name)
      throw new ClientException(
        `Invalid link '${link}' in container '${c.name}': no other container named '${target}'.`,
      );
  }
  for (const from of c.volumesFrom ?? []) {
    if (!from.sourceContainer || !names.has(from.sourceContainer)) {
      throw new ClientException(
        `Invalid volumesFrom in container '${c.name}': no container named '${from.sourceContainer ?? ''}'.`,
      );
    }
  }
}

function checkMemory(c: ContainerDefinition, taskMemory: number | undefined): void {
  if (c.memory === undefined && c.memoryReservation === undefined && taskMemory === undefined) {
    throw new ClientException(
      `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    );
  }
  for (const [field, value] of [
    ['memory', c.memory],
    ['memoryReservation', c.memoryReservation],
  ] as const) {
    if (value !== undefined && value < MIN_CONTAINER_MEMORY_MIB) {
      throw new ClientException(
        `Invalid '${field}' setting for container '${c.name}'. Minimum of ${MIN_CONTAINER_MEMORY_MIB} MiB is required.`,
      );
    }
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw new ClientException(
      `Invalid setting for container '${c.name}'. 'memoryReservation' must be less than or equal to 'memory'.`,
    );
  }
  if (taskMemory !== undefined && c.memory !== undefined && c.memory > taskMemory) {
    throw new ClientException(
      `Invalid setting for container '${c.name}'. 'memory' of ${c.memory} MiB exceeds the task's ${taskMemory} MiB.`,
    );
  }
  if (c.cpu !== undefined && c.cpu < 0) throw new ClientException(`Invalid 'cpu' setting for container '${c.name}'.`);
}

function checkPorts(c: ContainerDefinition, networkMode: string): void {
  const seen = new Set<string>();
  for (const p of c.portMappings ?? []) {
    if (p.containerPortRange !== undefined) continue;
    if (p.containerPort === undefined || p.containerPort < 1 || p.containerPort > 65535) {
      throw new ClientException(
        `Invalid 'containerPort' setting for container '${c.name}': it must be from 1 to 65535.`,
      );
    }
    if (p.hostPort !== undefined && (p.hostPort < 0 || p.hostPort > 65535)) {
      throw new ClientException(`Invalid 'hostPort' setting for container '${c.name}': it must be from 0 to 65535.`);
    }
    if (
      (networkMode === 'awsvpc' || networkMode === 'host') &&
      p.hostPort !== undefined &&
      p.hostPort !== p.containerPort
    ) {
      throw new ClientException(
        `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`,
      );
    }
    if (networkMode === 'none') throw new ClientException('Port mappings are not supported when networkMode=none.');
    const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
    if (seen.has(key)) throw new ClientException(`Container '${c.name}' maps container port ${key} more than once.`);
    seen.add(key);
  }
}

function checkHealthCheck(name: string, h: NonNullable<ContainerDefinition['healthCheck']>): void {
  const first = h.command[0];
  if (first !== 'CMD' && first !== 'CMD-SHELL' && first !== 'NONE') {
    throw new ClientException(
      `Invalid health check command for container '${name}': it must start with CMD, CMD-SHELL or NONE.`,
    );
  }
  const bounds: [string, number | undefined, number, number][] = [
    ['interval', h.interval, 5, 300],
    ['timeout', h.timeout, 2, 60],
    ['retries', h.retries, 1, 10],
    ['startPeriod', h.startPeriod, 0, 300],
  ];
  for (const [field, value, min, max] of bounds) {
    if (value !== undefined && (value < min || value > max)) {
      throw new ClientException(
        `Invalid health check '${field}' for container '${name}': it must be from ${min} to ${max}.`,
      );
    }
  }
}

/**
 * A container's secrets, its log driver's secret options and its registry credentials, as ECS checks
 * them (the messages are ECS's, quoted by users, except the secret options' one, worded after the
 * secrets'): the execution role that reads them, secret names unique and not also environment
 * variables, and each valueFrom a Secrets Manager or Parameter Store reference.
 */
function checkSecrets(c: ContainerDefinition, executionRoleArn: string | undefined): void {
  const secrets = c.secrets ?? [];
  const secretOptions = c.logConfiguration?.secretOptions ?? [];
  const needsRole = executionRoleArn ? undefined : NEEDS_EXECUTION_ROLE.find(([uses]) => uses(c));
  if (needsRole !== undefined) throw new ClientException(needsRole[1]);
  const names = secrets.map((secret) => secret.name);
  const duplicates = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  if (duplicates.length > 0) {
    throw new ClientException(
      `Duplicate secret names found: ${duplicates.join(', ')}. Each secret name must be unique.`,
    );
  }
  const shared = names.find((name) => (c.environment ?? []).some((variable) => variable.name === name));
  if (shared !== undefined) {
    throw new ClientException(
      `The secret name must be unique and not shared with any new or existing environment variables set on the container, such as '${shared}'.`,
    );
  }
  const invalid = [...secrets, ...secretOptions].find((secret) => secretSourceOf(secret.valueFrom) === undefined);
  if (invalid !== undefined) {
    throw new ClientException(`The Systems Manager parameter name specified for secret ${invalid.name} is invalid.`);
  }
}

/** What a container reads with the execution role, on any launch type, and ECS's refusal without one. */
const NEEDS_EXECUTION_ROLE: readonly [(c: ContainerDefinition) => boolean, string][] = [
  [
    (c) => (c.secrets ?? []).length > 0,
    "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
  ],
  [
    (c) => (c.logConfiguration?.secretOptions ?? []).length > 0,
    "When you are specifying log configuration secret options, you must also specify a value for 'executionRoleArn'.",
  ],
  [
    (c) => c.repositoryCredentials !== undefined,
    'Private repository authentication requires that the task definition specify a value for executionRoleArn.',
  ],
];

/** dependsOn refers to other containers of the task, HEALTHY only to one with a health check, and has no cycle. */
function checkDependencies(containers: readonly ContainerDefinition[]): void {
  const byName = new Map(containers.map((c) => [c.name!, c]));
  for (const c of containers) {
    for (const d of c.dependsOn ?? []) {
      const target = byName.get(d.containerName);
      if (!target || d.containerName === c.name) {
        throw new ClientException(
          `Container '${c.name}' depends on '${d.containerName}', which is not another container of this task definition.`,
        );
      }
      if (d.condition === 'HEALTHY' && !target.healthCheck) {
        throw new ClientException(
          `Container '${c.name}' depends on '${d.containerName}' being HEALTHY, but '${d.containerName}' has no health check.`,
        );
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw new ClientException(`Container dependencies form a cycle: ${[...path, name].join(' -> ')}.`);
    state.set(name, 'visiting');
    for (const d of byName.get(name)?.dependsOn ?? []) visit(d.containerName, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of byName.keys()) visit(name, []);
}

/**
 * The volumes as ECS stores and describes them: an EFS volume without a rootDirectory gets "/",
 * the default the API reference documents ("Specifying / will have the same effect as omitting
 * this parameter") and DescribeTaskDefinition shows.
 */
export function registeredVolumes(volumes: readonly Volume[] | undefined): Volume[] {
  return (volumes ?? []).map((volume) =>
    volume.efsVolumeConfiguration && volume.efsVolumeConfiguration.rootDirectory === undefined
      ? { ...volume, efsVolumeConfiguration: { ...volume.efsVolumeConfiguration, rootDirectory: '/' } }
      : volume,
  );
}

function checkVolumes(input: RegisterTaskDefinitionRequest, containers: readonly ContainerDefinition[]): void {
  const volumes = new Set<string>();
  for (const v of input.volumes ?? []) {
    if (!v.name) throw new ClientException('Volume name should not be null or empty.');
    if (volumes.has(v.name)) throw new ClientException(`Duplicate volume name '${v.name}'.`);
    volumes.add(v.name);
  }
  for (const c of containers) {
    for (const m of c.mountPoints ?? []) {
      if (!m.sourceVolume || !volumes.has(m.sourceVolume)) {
        throw new ClientException(
          `Invalid 'mountPoints' setting for container '${c.name}': 'sourceVolume' '${m.sourceVolume ?? ''}' is not a declared volume.`,
        );
      }
      if (!m.containerPath)
        throw new ClientException(
          `Invalid 'mountPoints' setting for container '${c.name}': 'containerPath' is required.`,
        );
    }
  }
}

function compatibilitiesOf(
  input: RegisterTaskDefinitionRequest,
  options: {
    networkMode: string;
    cpu: number | undefined;
    memory: number | undefined;
    isEcrImage: ImageTest;
  },
): Compatibility[] {
  const { networkMode, cpu, memory } = options;
  const out: Compatibility[] = ['EC2'];
  const fargateSize = cpu !== undefined && memory !== undefined && FARGATE_SIZES.get(cpu)?.includes(memory) === true;
  const fargateTakes =
    fargateProblem(input) === undefined && fargateExecutionRoleProblem(input, options.isEcrImage) === undefined;
  if (networkMode === 'awsvpc' && fargateSize && fargateTakes) out.push('FARGATE');
  if (networkMode !== 'awsvpc' || (input.requiresCompatibilities ?? []).includes('EXTERNAL')) out.push('EXTERNAL');
  return out;
}

/**
 * The agent capabilities a task needs, as ECS lists them in requiresAttributes. Each name is one the
 * ECS agent advertises (agent/app/agent_capability.go); the execution role's two (ecr-pull,
 * awslogs) only where the role does that work, as ECS's own definitions show them.
 */
function requiresAttributesOf(
  input: RegisterTaskDefinitionRequest,
  options: { networkMode: string; isEcrImage: ImageTest },
): { name: string }[] {
  const names = new Set<string>(['com.amazonaws.ecs.capability.docker-remote-api.1.18']);
  if (options.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
  for (const c of input.containerDefinitions) {
    for (const name of containerAttributes(c, Boolean(input.executionRoleArn), options.isEcrImage)) names.add(name);
  }
  if (input.taskRoleArn) {
    names.add('com.amazonaws.ecs.capability.task-iam-role');
    if (options.networkMode === 'host') names.add('com.amazonaws.ecs.capability.task-iam-role-network-host');
  }
  return [...names].sort().map((name) => ({ name }));
}

function containerAttributes(c: ContainerDefinition, executionRole: boolean, isEcrImage: ImageTest): string[] {
  const names: string[] = [];
  const log = c.logConfiguration;
  if (c.healthCheck) names.push('ecs.capability.container-health-check');
  if (c.dependsOn?.length) names.push('ecs.capability.container-ordering');
  if (log) names.push(`com.amazonaws.ecs.capability.logging-driver.${log.logDriver}`);
  if (log?.logDriver === 'awslogs' && executionRole) names.push('ecs.capability.execution-role-awslogs');
  if (c.environmentFiles?.length) names.push('ecs.capability.env-files.s3');
  if (c.image !== undefined && isEcrImage(c.image)) {
    names.push('com.amazonaws.ecs.capability.ecr-auth');
    if (executionRole) names.push('ecs.capability.execution-role-ecr-pull');
  }
  return [...names, ...secretAttributes(c)];
}

/** What the agent needs to resolve a container's secrets, by where each comes from (asm or ssm). */
function secretAttributes(c: ContainerDefinition): string[] {
  const source = (secret: { valueFrom: string }) => secretSourceOf(secret.valueFrom) ?? 'ssm';
  return [
    ...(c.secrets ?? []).map((secret) => `ecs.capability.secrets.${source(secret)}.environment-variables`),
    ...(c.logConfiguration?.secretOptions ?? []).map(
      (secret) => `ecs.capability.secrets.${source(secret)}.bootstrap.log-driver`,
    ),
    ...(c.repositoryCredentials ? ['ecs.capability.private-registry-authentication.secretsmanager'] : []),
  ];
}
