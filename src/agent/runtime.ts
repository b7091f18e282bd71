import type { ContainerDefinition, TaskAssignment } from '../ecs/index.ts';

/** The ECS container name Berth gives the awsvpc network sandbox (as the ECS agent names its pause container). */
export const PAUSE_CONTAINER_NAME = '~internal~ecs~pause';

/** A container as the runtime sees it, found by its labels. */
export interface RuntimeContainer {
  readonly id: string;
  /** The ECS container name (com.amazonaws.ecs.container-name). */
  readonly name: string;
  readonly running: boolean;
  /** Set once it has exited. */
  readonly exitCode?: number | undefined;
  readonly health?: 'starting' | 'healthy' | 'unhealthy' | undefined;
  /** Started at least once. */
  readonly started: boolean;
  readonly oomKilled?: boolean | undefined;
  readonly imageDigest?: string | undefined;
  /** The engine's own name for it (ecs-web-1-app-ab12...). */
  readonly runtimeName?: string | undefined;
  /** The ID of the image it runs (sha256:...). */
  readonly imageId?: string | undefined;
  /** RFC 3339 times, as precise as the engine keeps them; started/finished once that happened. */
  readonly createdAt?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly finishedAt?: string | undefined;
  /** The host ports it is published on (bridge mode), as the engine reports them. */
  readonly publishedPorts?: readonly PublishedPort[] | undefined;
  /** Its own IPv4 addresses (bridge mode); none in host mode or when it shares a namespace. */
  readonly ipv4Addresses?: readonly string[] | undefined;
  /** The latest health check's result, when it has a health check. */
  readonly lastHealthCheck?: { readonly at: string; readonly exitCode: number; readonly output: string } | undefined;
  /** The MAC address the agent gave it at creation, if it gave one. */
  readonly macAddress?: string | undefined;
}

/** One network the host shares with containers: the host's address on it, and the subnet. */
export interface HostNetwork {
  readonly gateway: string;
  /** CIDR: 172.17.0.0/16. */
  readonly subnet: string;
}

/** Where containers reach this host, by network mode (host mode reaches it on 127.0.0.1). */
export interface HostNetworks {
  readonly bridge?: HostNetwork | undefined;
  readonly awsvpc?: HostNetwork | undefined;
}

/** An awsvpc task's own network namespace (held by a pause container) and its address. */
export interface TaskNetwork {
  readonly sandboxId: string;
  readonly ipv4: string;
  readonly mac: string;
  readonly interfaceId: string;
}

export interface StartContext {
  readonly network?: TaskNetwork | undefined;
  /** Containers of the task created so far, by ECS name (links, volumesFrom). */
  readonly containerIds: ReadonlyMap<string, string>;
  /** Variables the agent adds (the metadata endpoint's URI...). */
  readonly extraEnvironment: Readonly<Record<string, string>>;
  /** The variables read from the container's environmentFiles (its `environment` wins over them). */
  readonly environmentFiles?: Readonly<Record<string, string>> | undefined;
  /**
   * Let the engine choose the dynamic host ports (hostPort 0) instead of the placed ones: the
   * fallback when another process on the host holds a placed port (agents sharing a machine).
   */
  readonly enginePicksDynamicPorts?: boolean | undefined;
  /**
   * The MAC address of the container's interface (bridge mode), chosen by the agent so that the
   * route of 169.254.170.2 to its credentials endpoint exists before the container starts.
   */
  readonly macAddress?: string | undefined;
}

/** Credentials for one image's registry, as the engine takes them for a pull. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

/** One line a container wrote, with the time the engine received it. */
export interface ContainerLogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly timestamp: Date;
  readonly line: string;
}

/** A published port, as the task reports it in networkBindings. */
export interface PublishedPort {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly bindIP: string;
}

/** An image ready on the host. */
export interface PulledImage {
  /** Its manifest digest (sha256:…), as DescribeTasks shows it; none for an image that never came from a registry. */
  readonly digest?: string | undefined;
}

/** A command to run in a running container (ECS Exec), as argv: no shell unless argv names one. */
export interface ExecRequest {
  readonly command: readonly string[];
  /** A pseudo-terminal (stdout and stderr merged; resize applies). */
  readonly tty: boolean;
}

/** A process started by ContainerRuntime.exec. */
export interface ExecProcess {
  /** Bytes for its stdin (a TTY's keystrokes). */
  write(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Its output (stdout and stderr, merged as a TTY merges them); ends when it exits. */
  readonly output: AsyncIterable<Uint8Array>;
  /** Its exit code once it has exited (undefined if the engine cannot tell). */
  readonly exited: Promise<number | undefined>;
  /** Closes its stdin and lets go of it. */
  close(): void;
}

/** Raised when an image cannot be pulled; the message is the engine's. */
export class CannotPullContainerError extends Error {
  override readonly name = 'CannotPullContainerError';
}

/** Raised when the task's environment cannot be prepared (no engine, no network), as Fargate names it. */
export class ResourceInitializationError extends Error {
  override readonly name = 'ResourceInitializationError';
}

/** Raised when a container cannot be created or started (bad mount, unknown user...). */
export class CannotStartContainerError extends Error {
  override readonly name = 'CannotStartContainerError';
}

/**
 * What the agent needs from a container engine. DockerRuntime implements it on the Docker Engine
 * API; the agent never sees Docker's shapes. Every container carries the ECS agent's labels plus the
 * agent's owner label, so an agent that restarts finds its tasks' containers again.
 */
export interface ContainerRuntime {
  /** CPU units (1024 per CPU) and MiB of the host, as the ECS agent registers them. */
  resources(): Promise<{ cpu: number; memory: number }>;
  /** Throws CannotPullContainerError with the engine's message. */
  /**
   * Pulls with `auth` when given (the task's execution role's ECR token, or its
   * repositoryCredentials), else with the runtime's own lookup (the agent's identity).
   */
  pullImage(image: string, options?: { readonly auth?: RegistryCredentials | undefined }): Promise<PulledImage>;
  createTaskNetwork(task: TaskAssignment): Promise<TaskNetwork>;
  removeTaskNetwork(task: TaskAssignment, network: TaskNetwork): Promise<void>;
  /** Throws CannotStartContainerError. */
  createContainer(task: TaskAssignment, container: ContainerDefinition, context: StartContext): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** The host ports a running container's ports are published on (bridge mode). */
  publishedPorts(id: string): Promise<PublishedPort[]>;
  inspectContainer(id: string): Promise<RuntimeContainer | undefined>;
  /** Resolves with the exit code when the container stops. */
  waitContainer(id: string): Promise<number>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** The containers of one task this agent created (the pause container under PAUSE_CONTAINER_NAME). */
  taskContainers(taskArn: string): Promise<RuntimeContainer[]>;
  /** The task ARNs of every container this agent owns (to clean up tasks the server forgot). */
  ownedTasks(): Promise<string[]>;
  /** The address of an awsvpc sandbox found again after a restart. */
  networkOf(sandboxId: string): Promise<TaskNetwork | undefined>;
  /** A container's output from `since` (all of it by default), until it stops and its last line is read. */
  followLogs?(
    id: string,
    options: { since?: Date | undefined; signal?: AbortSignal | undefined },
  ): AsyncIterable<ContainerLogLine>;
  /** Removes the task-scoped volumes a task's containers used (after its containers are removed). */
  removeTaskVolumes?(task: TaskAssignment): Promise<void>;
  /** Releases connections to the engine (pending waits end). */
  close?(): void;
  /** The networks bridge and awsvpc containers reach the host on (the task metadata endpoint listens there). */
  hostNetworks?(): Promise<HostNetworks>;
  /** Starts a command in a running container (ECS Exec); rejects when the container is not running. */
  exec?(containerId: string, request: ExecRequest): Promise<ExecProcess>;
  /** One sample of a container's resource usage, in the engine's own format; undefined if it is gone. */
  containerStats?(id: string): Promise<object | undefined>;
}
