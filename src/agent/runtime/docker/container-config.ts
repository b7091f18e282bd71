import type { ContainerDefinition, HealthCheck, LinuxParameters, PortMapping } from '../../../ecs/shapes.generated.ts';
import { PAUSE_IMAGE } from './pause-image.ts';

// ECS container definition + what the agent decided for the task → the body of POST /containers/create.
// A pure function, so every rule below is table-tested without Docker. The rules follow the ECS agent
// (aws/amazon-ecs-agent, task.go's DockerConfig/DockerHostConfig) and the task definition docs.

export type NetworkMode = 'bridge' | 'host' | 'none' | 'awsvpc';

/** The host port placement chose for one container port (also for hostPort 0 in bridge mode). */
export interface HostPortBinding {
  readonly containerName: string;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostPort: number;
}

/** Where a task volume lives: a host folder (bind mount) or a Docker volume. */
export type TaskVolumeSource = { readonly hostPath: string } | { readonly volumeName: string };

export interface TaskRuntimeContext {
  readonly clusterName: string;
  readonly clusterArn: string;
  /** FARGATE containers carry the cluster ARN in com.amazonaws.ecs.cluster; EC2 ones the cluster name. */
  readonly launchType?: 'EC2' | 'FARGATE' | 'EXTERNAL';
  readonly taskArn: string;
  readonly family: string;
  readonly revision: number;
  readonly networkMode: NetworkMode;
  /** awsvpc: the container holding the task's network namespace. */
  readonly pauseContainerId?: string;
  /** awsvpc: the Docker network the pause container joins. */
  readonly awsvpcNetworkName?: string;
  readonly hostPortBindings?: readonly HostPortBinding[];
  /** bridge: the host address ports are published on; all addresses when unset. */
  readonly hostIp?: string;
  /** Task volumes by name. */
  readonly volumes?: Readonly<Record<string, TaskVolumeSource>>;
  /** Docker IDs of the task's containers already created, for links and volumesFrom. */
  readonly containerIdsByName?: Readonly<Record<string, string>>;
  /** By container name: variables the agent injects (ECS_CONTAINER_METADATA_URI_V4, ...); they win. */
  readonly extraEnvironment?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** By container name: the KEY=VALUE pairs already read from its environmentFiles. */
  readonly environmentFileContents?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Task-level CPU units (1024 = one vCPU) and MiB, as FARGATE task definitions set them. */
  readonly taskCpu?: number;
  readonly taskMemory?: number;
  /** How many containers the task has: containers without cpu share the task's CPU units. */
  readonly containerCount: number;
}

export interface DockerHostConfig {
  NetworkMode: string;
  CpuShares: number;
  NanoCpus?: number;
  Memory?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number;
  Binds?: string[];
  VolumesFrom?: string[];
  Links?: string[];
  PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
  Dns?: string[];
  DnsSearch?: string[];
  ExtraHosts?: string[];
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
  Init?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
  Tmpfs?: Record<string, string>;
  ShmSize?: number;
  Privileged?: boolean;
  /** Never set by dockerCreateBody (a task's own namespaces); confinement.ts checks them anyway. */
  PidMode?: string;
  IpcMode?: string;
  /** Set by confinement.ts only (managed capacity). */
  PidsLimit?: number;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[];
  Sysctls?: Record<string, string>;
  LogConfig: { Type: string; Config: Record<string, string> };
}

export interface DockerCreateBody {
  Image: string;
  /** The interface's MAC address (API v1.41: container-wide; a newer engine applies it to the one network). */
  MacAddress?: string;
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Env: string[];
  Labels: Record<string, string>;
  Hostname?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Healthcheck?: { Test: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
  StopTimeout?: number;
  StopSignal?: string;
  NetworkDisabled?: boolean;
  OpenStdin?: boolean;
  Tty?: boolean;
  HostConfig: DockerHostConfig;
  NetworkingConfig?: { EndpointsConfig: Record<string, object> };
}

/** The ECS agent's name for the pause container (its com.amazonaws.ecs.container-name label). */
export const PAUSE_CONTAINER_NAME = '~internal~ecs~pause';
/** The ECS logConfiguration, JSON, for the agent to ship logs it reads from json-file. */
export const LOG_CONFIGURATION_LABEL = 'com.berth.log-configuration';

const MIB = 1024 * 1024;
const SECOND_NS = 1_000_000_000;
// Linux rejects 1 share and Docker turns 0 into 1024: the ECS agent's floor is 2.
const MIN_CPU_SHARES = 2;
const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 };

export function dockerCreateBody(container: ContainerDefinition, task: TaskRuntimeContext): DockerCreateBody {
  const name = required(container.name, 'container name');
  const hostConfig: DockerHostConfig = {
    ...networkHostConfig(container, task),
    ...resources(container, task),
    ...linuxParameters(container.linuxParameters),
    ...mounts(container, task),
    ...optional(
      'Ulimits',
      container.ulimits?.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit })),
    ),
    ...optional('Privileged', container.privileged),
    ...optional('ReadonlyRootfs', container.readonlyRootFilesystem),
    ...optional('SecurityOpt', container.dockerSecurityOptions),
    ...optional('Sysctls', sysctls(container)),
    LogConfig: logConfig(container),
  };
  return {
    Image: required(container.image, `image of container ${name}`),
    ...optional('Cmd', container.command),
    ...optional('Entrypoint', container.entryPoint),
    ...optional('WorkingDir', container.workingDirectory),
    ...optional('User', container.user),
    Env: environment(container, task),
    Labels: labels(container, task),
    ...optional('Hostname', hasOwnNetworkStack(task) ? container.hostname : undefined),
    ...optional('ExposedPorts', exposedPorts(container, task)),
    ...optional('Healthcheck', container.healthCheck && healthcheck(container.healthCheck)),
    ...optional('StopTimeout', container.stopTimeout),
    ...optional('NetworkDisabled', container.disableNetworking),
    ...optional('OpenStdin', container.interactive),
    ...optional('Tty', container.pseudoTerminal),
    HostConfig: hostConfig,
  };
}

/** awsvpc: the pause container that owns the task's network namespace on `awsvpcNetworkName`. */
export function pauseContainerCreateBody(
  task: TaskRuntimeContext,
  options: { readonly image?: string } = {},
): DockerCreateBody {
  const network = required(task.awsvpcNetworkName, 'awsvpcNetworkName of an awsvpc task');
  return {
    Image: options.image ?? PAUSE_IMAGE,
    Env: [],
    Labels: ecsLabels(PAUSE_CONTAINER_NAME, task),
    // /pause has no signal handlers, and PID 1 ignores SIGTERM without one.
    StopSignal: 'SIGKILL',
    HostConfig: { NetworkMode: network, CpuShares: MIN_CPU_SHARES, LogConfig: { Type: 'json-file', Config: {} } },
    NetworkingConfig: { EndpointsConfig: { [network]: {} } },
  };
}

/** The ECS agent's naming: ecs-<family>-<revision>-<name without odd characters>-<suffix>. */
export function dockerContainerName(task: TaskRuntimeContext, containerName: string, suffix: string): string {
  return `ecs-${task.family}-${task.revision}-${containerName.replace(/[^0-9A-Za-z-]/g, '')}-${suffix}`;
}

/** The labels every container of the task carries, as the ECS agent sets them. */
export function ecsLabels(containerName: string, task: TaskRuntimeContext): Record<string, string> {
  return {
    'com.amazonaws.ecs.cluster': task.launchType === 'FARGATE' ? task.clusterArn : task.clusterName,
    'com.amazonaws.ecs.task-arn': task.taskArn,
    'com.amazonaws.ecs.container-name': containerName,
    'com.amazonaws.ecs.task-definition-family': task.family,
    'com.amazonaws.ecs.task-definition-version': String(task.revision),
  };
}

function labels(container: ContainerDefinition, task: TaskRuntimeContext): Record<string, string> {
  const log = container.logConfiguration;
  return {
    ...container.dockerLabels,
    ...(log && { [LOG_CONFIGURATION_LABEL]: JSON.stringify({ logDriver: log.logDriver, options: log.options ?? {} }) }),
    // Last, so a definition's dockerLabels cannot override them (the ECS agent does the same).
    ...ecsLabels(container.name!, task),
  };
}

/** Env files, then `environment` (explicit wins), then what the agent injects. */
function environment(container: ContainerDefinition, task: TaskRuntimeContext): string[] {
  const name = container.name!;
  const variables: Record<string, string> = { ...task.environmentFileContents?.[name] };
  for (const pair of container.environment ?? []) if (pair.name) variables[pair.name] = pair.value ?? '';
  Object.assign(variables, task.extraEnvironment?.[name]);
  return Object.entries(variables).map(([key, value]) => `${key}=${value}`);
}

/**
 * cpu is a relative weight (CpuShares); memory a hard limit, memoryReservation a soft one. Task-level
 * limits (FARGATE) cap every container: there is no shared task cgroup here, so each container gets
 * the whole task's CPU as NanoCpus and, unless it sets memory itself, the task's memory.
 */
function resources(container: ContainerDefinition, task: TaskRuntimeContext) {
  const cpu = container.cpu ?? 0;
  const taskShare = task.taskCpu ? Math.floor(task.taskCpu / Math.max(1, task.containerCount)) : 0;
  const memoryMiB = container.memory ?? task.taskMemory;
  const swap = container.linuxParameters?.maxSwap;
  return {
    CpuShares: Math.max(MIN_CPU_SHARES, cpu > 1 ? cpu : taskShare),
    ...optional('NanoCpus', task.taskCpu ? Math.round((task.taskCpu * SECOND_NS) / 1024) : undefined),
    ...optional('Memory', memoryMiB ? memoryMiB * MIB : undefined),
    ...optional('MemoryReservation', container.memoryReservation ? container.memoryReservation * MIB : undefined),
    // maxSwap 0 means no swap: MemorySwap (memory + swap) equals Memory.
    ...optional('MemorySwap', memoryMiB && swap !== undefined ? (memoryMiB + swap) * MIB : undefined),
    ...optional('MemorySwappiness', container.linuxParameters?.swappiness),
  };
}

function linuxParameters(parameters: LinuxParameters | undefined) {
  if (!parameters) return {};
  const permissions = { read: 'r', write: 'w', mknod: 'm' };
  const tmpfs = parameters.tmpfs?.map((t) => [
    t.containerPath,
    [`size=${t.size}m`, ...(t.mountOptions ?? [])].join(','),
  ]);
  return {
    ...optional('Init', parameters.initProcessEnabled),
    ...optional('CapAdd', parameters.capabilities?.add),
    ...optional('CapDrop', parameters.capabilities?.drop),
    ...optional(
      'Devices',
      parameters.devices?.map((d) => ({
        PathOnHost: d.hostPath,
        PathInContainer: d.containerPath ?? d.hostPath,
        CgroupPermissions: d.permissions?.length ? d.permissions.map((p) => permissions[p]).join('') : 'rwm',
      })),
    ),
    ...optional('Tmpfs', tmpfs && Object.fromEntries(tmpfs)),
    ...optional('ShmSize', parameters.sharedMemorySize ? parameters.sharedMemorySize * MIB : undefined),
  };
}

/**
 * bridge: Docker's default bridge, ports published on the placed host ports, links allowed.
 * host: the host's stack, nothing to publish. awsvpc: the pause container's namespace, which
 * Docker forbids hostname, links, DNS, extra hosts and published ports with.
 */
function networkHostConfig(container: ContainerDefinition, task: TaskRuntimeContext) {
  const bridge = task.networkMode === 'bridge';
  const ownDns = task.networkMode !== 'awsvpc';
  return {
    NetworkMode: dockerNetworkMode(task),
    ...optional('Links', bridge ? container.links?.map((link) => linkTo(link, task)) : undefined),
    ...optional('PortBindings', bridge ? portBindings(container, task) : undefined),
    ...optional('Dns', ownDns ? container.dnsServers : undefined),
    ...optional('DnsSearch', ownDns ? container.dnsSearchDomains : undefined),
    ...optional('ExtraHosts', ownDns ? container.extraHosts?.map((h) => `${h.hostname}:${h.ipAddress}`) : undefined),
  };
}

function dockerNetworkMode(task: TaskRuntimeContext): string {
  if (task.networkMode !== 'awsvpc') return task.networkMode;
  return `container:${required(task.pauseContainerId, 'pauseContainerId of an awsvpc task')}`;
}

function hasOwnNetworkStack(task: TaskRuntimeContext): boolean {
  return task.networkMode === 'bridge' || task.networkMode === 'none';
}

/** ECS writes `name` or `name:alias`; Docker wants `<container>:<alias>`. */
function linkTo(link: string, task: TaskRuntimeContext): string {
  const [name = '', alias = name] = link.split(':');
  return `${containerId(name, task)}:${alias}`;
}

function containerId(name: string, task: TaskRuntimeContext): string {
  return required(task.containerIdsByName?.[name], `Docker ID of container ${name} (create it first)`);
}

function mounts(container: ContainerDefinition, task: TaskRuntimeContext) {
  const binds = container.mountPoints?.map((mount) => {
    const volume = required(mount.sourceVolume, 'sourceVolume of a mount point');
    const source = required(task.volumes?.[volume], `task volume ${volume}`);
    const from = 'hostPath' in source ? source.hostPath : source.volumeName;
    return `${from}:${required(mount.containerPath, 'containerPath of a mount point')}${mount.readOnly ? ':ro' : ''}`;
  });
  const volumesFrom = container.volumesFrom?.map(
    (from) => `${containerId(required(from.sourceContainer, 'sourceContainer'), task)}${from.readOnly ? ':ro' : ''}`,
  );
  return { ...optional('Binds', binds), ...optional('VolumesFrom', volumesFrom) };
}

/** Each container port of a mapping (a containerPortRange expands) with its protocol. */
function containerPorts(mapping: PortMapping): { port: number; key: string; protocol: 'tcp' | 'udp' }[] {
  const protocol = mapping.protocol ?? 'tcp';
  const [first, last] = mapping.containerPortRange?.split('-').map(Number) ?? [mapping.containerPort, undefined];
  if (first === undefined) return [];
  const ports = Array.from({ length: (last ?? first) - first + 1 }, (_, i) => first + i);
  return ports.map((port) => ({ port, protocol, key: `${port}/${protocol}` }));
}

function exposedPorts(container: ContainerDefinition, task: TaskRuntimeContext) {
  if (task.networkMode !== 'bridge' || !container.portMappings?.length) return undefined;
  const ports = container.portMappings.flatMap(containerPorts);
  return Object.fromEntries(ports.map(({ key }) => [key, {} as Record<string, never>]));
}

/** The placed host port; else the definition's fixed one; else '' and Docker picks one. */
function portBindings(container: ContainerDefinition, task: TaskRuntimeContext) {
  if (!container.portMappings?.length) return undefined;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const mapping of container.portMappings) {
    for (const { port, protocol, key } of containerPorts(mapping)) {
      const placed = task.hostPortBindings?.find(
        (b) => b.containerName === container.name && b.containerPort === port && b.protocol === protocol,
      )?.hostPort;
      const fixed = mapping.containerPortRange ? undefined : mapping.hostPort || undefined;
      bindings[key] = [{ HostIp: task.hostIp ?? '', HostPort: String(placed ?? fixed ?? '') }];
    }
  }
  return bindings;
}

/** ECS seconds → Docker nanoseconds, with ECS's defaults. */
function healthcheck(check: HealthCheck): NonNullable<DockerCreateBody['Healthcheck']> {
  const seconds = { ...HEALTH_CHECK_DEFAULTS, ...definedOnly(check) };
  return {
    Test: check.command,
    Interval: seconds.interval * SECOND_NS,
    Timeout: seconds.timeout * SECOND_NS,
    Retries: seconds.retries,
    StartPeriod: seconds.startPeriod * SECOND_NS,
  };
}

function sysctls(container: ContainerDefinition): Record<string, string> | undefined {
  const controls = container.systemControls?.filter((c) => c.namespace);
  return controls?.length ? Object.fromEntries(controls.map((c) => [c.namespace!, c.value ?? ''])) : undefined;
}

/** Always json-file, which the agent can read back; a json-file definition keeps its options. */
function logConfig(container: ContainerDefinition): DockerHostConfig['LogConfig'] {
  const log = container.logConfiguration;
  return { Type: 'json-file', Config: log?.logDriver === 'json-file' ? { ...log.options } : {} };
}

/** `{ key: value }`, or nothing when value is undefined, false (Docker's default) or an empty array. */
function optional<K extends string, V>(key: K, value: V | undefined | false): { [P in K]?: V } {
  if (value === undefined || value === false) return {};
  if (Array.isArray(value) && value.length === 0) return {};
  return { [key]: value } as { [P in K]?: V };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new Error(`missing ${what}`);
  return value;
}
