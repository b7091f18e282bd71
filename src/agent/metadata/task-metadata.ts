import type { ContainerDefinition, NetworkBinding, TaskAssignment } from '../../ecs/index.ts';
import type { HostNetwork, RuntimeContainer } from '../runtime.ts';
import type { TaskWorkerSnapshot } from '../task-worker.ts';

// The documents of the ECS task metadata endpoint (versions 3 and 4), built from what the agent
// knows of a task. Pure: the server asks the agent for a snapshot, these turn it into ECS's JSON.
// Field names, order and omissions follow the ECS agent (ecs-agent/tmds/handlers: v2's
// ContainerResponse and TaskResponse, which v4 extends with Networks details, LaunchType, ...).

export type MetadataVersion = 3 | 4;

/** One container as the agent knows it: the worker's state plus what the runtime reports. */
export interface ContainerSnapshot {
  readonly name: string;
  readonly status: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly runtimeId?: string | undefined;
  readonly runtimeName?: string | undefined;
  readonly imageId?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly health?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | undefined;
  readonly lastHealthCheck?: { readonly at: string; readonly exitCode: number; readonly output: string } | undefined;
  /** RFC 3339, as the runtime reports them. */
  readonly createdAt?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  /** Host ports it is published on (bridge, host), while it runs. */
  readonly bindings: readonly NetworkBinding[];
  /** Its own addresses (bridge mode). */
  readonly ipv4Addresses?: readonly string[] | undefined;
}

export interface TaskMetadataSnapshot {
  readonly task: TaskAssignment;
  /** The worker's lastStatus. */
  readonly lastStatus: string;
  readonly containers: readonly ContainerSnapshot[];
  /** awsvpc: the task's own interface, on the subnet of the awsvpc network. */
  readonly network?:
    | {
        readonly ipv4: string;
        readonly mac: string;
        /** The container holding the namespace (its stats carry the task's network counters). */
        readonly sandboxId?: string | undefined;
        readonly subnet?: string | undefined;
        readonly gateway?: string | undefined;
      }
    | undefined;
  readonly pullStartedAt?: Date | undefined;
  readonly pullStoppedAt?: Date | undefined;
  readonly availabilityZone: string;
}

export interface ContainerMetadata {
  DockerId: string;
  Name: string;
  DockerName: string;
  Image: string;
  ImageID: string;
  Ports?: PortMetadata[];
  Labels: Record<string, string>;
  DesiredStatus: string;
  KnownStatus: string;
  ExitCode?: number;
  Limits: { CPU: number; Memory: number };
  CreatedAt?: string;
  StartedAt?: string;
  FinishedAt?: string;
  Type: 'NORMAL';
  Health?: { status: string; statusSince?: string; exitCode?: number; output?: string };
  LogDriver?: string;
  LogOptions?: Record<string, string>;
  ContainerARN?: string;
  Networks?: NetworkMetadata[];
}

export interface PortMetadata {
  ContainerPort: number;
  Protocol: string;
  HostPort: number;
  HostIp?: string;
}

export interface NetworkMetadata {
  NetworkMode: string;
  IPv4Addresses?: string[];
  AttachmentIndex?: number;
  MACAddress?: string;
  IPv4SubnetCIDRBlock?: string;
  PrivateDNSName?: string;
  SubnetGatewayIpv4Address?: string;
}

export interface TaskMetadata {
  Cluster: string;
  TaskARN: string;
  Family: string;
  Revision: string;
  DesiredStatus: string;
  KnownStatus: string;
  Limits?: { CPU: number; Memory: number };
  PullStartedAt?: string;
  PullStoppedAt?: string;
  AvailabilityZone: string;
  LaunchType?: string;
  Containers: ContainerMetadata[];
  FaultInjectionEnabled?: boolean;
}

/**
 * Joins the worker's view of a task with what the runtime reports of its containers (by runtime
 * id) and the awsvpc network's subnet.
 */
export function taskMetadataSnapshot(
  view: TaskWorkerSnapshot,
  facts: {
    readonly inspected: ReadonlyMap<string, RuntimeContainer>;
    readonly awsvpc?: HostNetwork | undefined;
    readonly availabilityZone: string;
  },
): TaskMetadataSnapshot {
  return {
    task: view.task,
    lastStatus: view.lastStatus,
    containers: view.containers.map((c) => {
      const seen = c.runtimeId ? facts.inspected.get(c.runtimeId) : undefined;
      return {
        ...c,
        // The engine knows the published ports from the start; the worker learns them a moment later.
        bindings: seen?.publishedPorts?.length ? seen.publishedPorts.map((p) => ({ ...p })) : c.bindings,
        runtimeName: seen?.runtimeName,
        imageId: seen?.imageId,
        createdAt: seen?.createdAt,
        startedAt: seen?.startedAt,
        finishedAt: seen?.finishedAt,
        ipv4Addresses: seen?.ipv4Addresses,
        lastHealthCheck: seen?.lastHealthCheck,
      };
    }),
    network: view.network && {
      ipv4: view.network.ipv4,
      mac: view.network.mac,
      sandboxId: view.network.sandboxId,
      subnet: facts.awsvpc?.subnet,
      gateway: facts.awsvpc?.gateway,
    },
    pullStartedAt: view.pullStartedAt,
    pullStoppedAt: view.pullStoppedAt,
    availabilityZone: facts.availabilityZone,
  };
}

/** `${ECS_CONTAINER_METADATA_URI_V4}`: one container's document; undefined if the task has no such container. */
export function containerMetadata(
  snapshot: TaskMetadataSnapshot,
  containerName: string,
  options: { readonly version?: MetadataVersion } = {},
): ContainerMetadata | undefined {
  const definition = snapshot.task.containers.find((c) => c.name === containerName);
  const state = snapshot.containers.find((c) => c.name === containerName);
  if (!definition || !state) return undefined;
  return buildContainer(snapshot, definition, state, options.version ?? 4);
}

/** `${ECS_CONTAINER_METADATA_URI_V4}/task`: the task and every container of it, in definition order. */
export function taskMetadata(
  snapshot: TaskMetadataSnapshot,
  options: { readonly version?: MetadataVersion } = {},
): TaskMetadata {
  const { task } = snapshot;
  const version = options.version ?? 4;
  const containers: ContainerMetadata[] = [];
  for (const definition of task.containers) {
    const state = snapshot.containers.find((c) => c.name === definition.name);
    if (state) containers.push(buildContainer(snapshot, definition, state, version));
  }
  return {
    Cluster: clusterOf(task),
    TaskARN: task.taskArn,
    Family: task.family,
    Revision: String(task.revision),
    DesiredStatus: task.desiredStatus,
    KnownStatus: taskKnownStatus(snapshot),
    // ECS reports task-level limits, which only FARGATE task definitions are sure to have; the
    // assignment's cpu/memory of an EC2 task are the reservation summed over its containers.
    ...(task.launchType === 'FARGATE' ? { Limits: { CPU: task.cpu / 1024, Memory: task.memory } } : {}),
    ...(snapshot.pullStartedAt ? { PullStartedAt: rfc3339(snapshot.pullStartedAt) } : {}),
    ...(snapshot.pullStoppedAt ? { PullStoppedAt: rfc3339(snapshot.pullStoppedAt) } : {}),
    AvailabilityZone: snapshot.availabilityZone,
    ...(version === 4 ? { LaunchType: task.launchType } : {}),
    Containers: containers,
    ...(version === 4 ? { FaultInjectionEnabled: false } : {}),
  };
}

function buildContainer(
  snapshot: TaskMetadataSnapshot,
  definition: ContainerDefinition,
  state: ContainerSnapshot,
  version: MetadataVersion,
): ContainerMetadata {
  const { task } = snapshot;
  const name = definition.name!;
  const ports = portsOf(task, definition, state);
  const networks = networksOf(snapshot, state, version);
  return {
    DockerId: state.runtimeId ?? '',
    Name: name,
    DockerName: state.runtimeName ?? '',
    Image: definition.image ?? '',
    ImageID: state.imageId ?? '',
    ...(ports.length > 0 ? { Ports: ports } : {}),
    Labels: labelsOf(task, definition),
    DesiredStatus: task.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    KnownStatus: containerKnownStatus(snapshot, state),
    ...(state.exitCode !== undefined ? { ExitCode: state.exitCode } : {}),
    Limits: { CPU: definition.cpu ?? 0, Memory: definition.memory ?? 0 },
    ...timesOf(state),
    Type: 'NORMAL',
    ...(definition.healthCheck ? { Health: healthOf(state) } : {}),
    ...(version === 4 ? v4FieldsOf(task, definition) : {}),
    ...(networks.length > 0 ? { Networks: networks } : {}),
  };
}

function timesOf(state: ContainerSnapshot): Pick<ContainerMetadata, 'CreatedAt' | 'StartedAt' | 'FinishedAt'> {
  return {
    ...(state.createdAt ? { CreatedAt: state.createdAt } : {}),
    ...(state.startedAt ? { StartedAt: state.startedAt } : {}),
    ...(state.finishedAt ? { FinishedAt: state.finishedAt } : {}),
  };
}

/** What v4 adds to v3's container document (before Networks). */
function v4FieldsOf(
  task: TaskAssignment,
  definition: ContainerDefinition,
): Pick<ContainerMetadata, 'LogDriver' | 'LogOptions' | 'ContainerARN'> {
  const log = definition.logConfiguration;
  const containerArn = task.containerArns?.[definition.name!];
  return {
    ...(log?.logDriver
      ? { LogDriver: log.logDriver, LogOptions: logOptionsOf(task, definition.name!, log.options ?? {}) }
      : {}),
    ...(containerArn ? { ContainerARN: containerArn } : {}),
  };
}

/** ECS puts the cluster ARN on FARGATE tasks and the configured cluster name on EC2 ones. */
function clusterOf(task: TaskAssignment): string {
  return task.launchType === 'FARGATE' ? task.clusterArn : task.cluster;
}

/** The definition's dockerLabels and the ECS agent's own labels, which win (as on the container). */
function labelsOf(task: TaskAssignment, definition: ContainerDefinition): Record<string, string> {
  return {
    ...definition.dockerLabels,
    'com.amazonaws.ecs.cluster': clusterOf(task),
    'com.amazonaws.ecs.container-name': definition.name!,
    'com.amazonaws.ecs.task-arn': task.taskArn,
    'com.amazonaws.ecs.task-definition-family': task.family,
    'com.amazonaws.ecs.task-definition-version': String(task.revision),
  };
}

/**
 * The ECS agent's container states: NONE → PULLED → CREATED → RUNNING → STOPPED. The worker
 * knows PENDING (not created yet, or created and not started), RUNNING and STOPPED.
 */
function containerKnownStatus(snapshot: TaskMetadataSnapshot, state: ContainerSnapshot): string {
  if (state.status !== 'PENDING') return state.status;
  if (state.runtimeId) return 'CREATED';
  return snapshot.pullStoppedAt ? 'PULLED' : 'NONE';
}

/** The task is RUNNING once every container started, as the ECS agent counts it. */
function taskKnownStatus(snapshot: TaskMetadataSnapshot): string {
  if (snapshot.lastStatus === 'RUNNING' || snapshot.lastStatus === 'STOPPED') return snapshot.lastStatus;
  if (snapshot.containers.some((c) => c.runtimeId)) return 'CREATED';
  return snapshot.pullStoppedAt ? 'PULLED' : 'NONE';
}

/**
 * bridge and host: the host ports it is published on. awsvpc: the container ports, which the
 * task's own address serves (the ECS agent reports HostPort = ContainerPort there).
 */
function portsOf(task: TaskAssignment, definition: ContainerDefinition, state: ContainerSnapshot): PortMetadata[] {
  if (task.networkMode === 'awsvpc') {
    return (definition.portMappings ?? [])
      .filter((m) => m.containerPort !== undefined)
      .map((m) => ({ ContainerPort: m.containerPort!, Protocol: m.protocol ?? 'tcp', HostPort: m.containerPort! }));
  }
  return state.bindings
    .filter((b) => b.containerPort !== undefined && b.hostPort !== undefined)
    .map((b) => ({
      ContainerPort: b.containerPort!,
      Protocol: b.protocol ?? 'tcp',
      HostPort: b.hostPort!,
      ...(b.bindIP ? { HostIp: b.bindIP } : {}),
    }));
}

function networksOf(
  snapshot: TaskMetadataSnapshot,
  state: ContainerSnapshot,
  version: MetadataVersion,
): NetworkMetadata[] {
  const mode = snapshot.task.networkMode || 'bridge';
  const { network } = snapshot;
  if (mode === 'awsvpc') {
    if (!network) return [];
    const base = { NetworkMode: 'awsvpc', IPv4Addresses: [network.ipv4] };
    if (version === 3) return [base];
    const prefix = network.subnet?.split('/')[1];
    return [
      {
        ...base,
        AttachmentIndex: 0,
        ...(network.mac ? { MACAddress: network.mac } : {}),
        ...(network.subnet ? { IPv4SubnetCIDRBlock: network.subnet } : {}),
        PrivateDNSName: privateDnsName(network.ipv4, regionOf(snapshot.task.taskArn)),
        // ECS writes the gateway with the subnet's prefix length: 10.0.2.1/24.
        ...(network.gateway
          ? { SubnetGatewayIpv4Address: prefix ? `${network.gateway}/${prefix}` : network.gateway }
          : {}),
      },
    ];
  }
  if (mode === 'none') return [];
  const addresses = mode === 'bridge' ? (state.ipv4Addresses ?? []) : [];
  return [{ NetworkMode: mode, ...(addresses.length > 0 ? { IPv4Addresses: [...addresses] } : {}) }];
}

/** EC2's private DNS names: ip-10-0-2-100.ec2.internal in us-east-1, ….REGION.compute.internal elsewhere. */
function privateDnsName(ipv4: string, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${ipv4.replaceAll('.', '-')}.${domain}`;
}

function regionOf(arn: string): string {
  return arn.split(':')[3] || 'us-east-1';
}

/** HEALTHY, UNHEALTHY or UNKNOWN, with the latest check's time, and its output and exit code when it failed. */
function healthOf(state: ContainerSnapshot): NonNullable<ContainerMetadata['Health']> {
  const check = state.lastHealthCheck;
  return {
    status: state.health ?? 'UNKNOWN',
    ...(check?.at ? { statusSince: check.at } : {}),
    ...(check && check.exitCode !== 0 ? { exitCode: check.exitCode } : {}),
    ...(check?.output ? { output: check.output } : {}),
  };
}

/**
 * The log options as the container runs with them: for awslogs, the ECS agent turns
 * awslogs-stream-prefix into the stream itself, PREFIX/CONTAINER/TASK-ID.
 */
function logOptionsOf(
  task: TaskAssignment,
  containerName: string,
  options: Readonly<Record<string, string>>,
): Record<string, string> {
  const { 'awslogs-stream-prefix': prefix, ...rest } = options;
  if (prefix === undefined) return { ...options };
  const taskId = task.taskArn.split('/').at(-1)!;
  return { ...rest, 'awslogs-stream': `${prefix}/${containerName}/${taskId}` };
}

/** Go's RFC 3339 with nanoseconds, as the ECS agent writes times: no trailing zeros in the fraction. */
export function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.?0+Z$/, 'Z');
}
