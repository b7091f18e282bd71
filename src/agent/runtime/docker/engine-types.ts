// The parts of Docker Engine API v1.41 answers that Berth reads, in Docker's own spelling.
// Fields the daemon may omit are optional; everything else it always sends. Then the client's options.

export interface EngineInfo {
  /** NCPU */
  readonly cpus: number;
  /** MemTotal */
  readonly memoryBytes: number;
  readonly serverVersion: string;
  readonly operatingSystem: string;
  readonly architecture: string;
  readonly kernelVersion: string;
  readonly name: string;
  readonly loggingDriver: string;
  readonly cgroupVersion?: string;
}

export interface EngineVersion {
  readonly Version: string;
  readonly ApiVersion: string;
  readonly MinAPIVersion?: string;
  readonly Os: string;
  readonly Arch: string;
  readonly KernelVersion?: string;
}

export interface ImageInspect {
  readonly Id: string;
  readonly RepoTags: string[] | null;
  readonly RepoDigests: string[] | null;
  readonly Architecture: string;
  readonly Os: string;
  readonly Size: number;
  readonly Config: { readonly Cmd?: string[] | null; readonly Entrypoint?: string[] | null } | null;
}

export type ContainerStatus = 'created' | 'restarting' | 'running' | 'removing' | 'paused' | 'exited' | 'dead';
export type HealthStatus = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface ContainerInspect {
  readonly Id: string;
  /** With Docker's leading slash: /ecs-web-1-app-ab12. */
  readonly Name: string;
  readonly Image: string;
  readonly Created: string;
  readonly State: {
    readonly Status: ContainerStatus;
    readonly Running: boolean;
    readonly OOMKilled: boolean;
    readonly ExitCode: number;
    readonly Error: string;
    readonly StartedAt: string;
    readonly FinishedAt: string;
    readonly Health?: {
      readonly Status: HealthStatus;
      readonly FailingStreak: number;
      readonly Log:
        { readonly Start: string; readonly End: string; readonly ExitCode: number; readonly Output: string }[] | null;
    };
  };
  readonly Config: {
    readonly Image: string;
    readonly Labels: Record<string, string> | null;
    readonly Tty: boolean;
    /** Set when the creator chose it (the agent does, for a task with a task role in bridge mode). */
    readonly MacAddress?: string;
  };
  readonly HostConfig: { readonly NetworkMode: string };
  readonly NetworkSettings: {
    readonly Ports: Record<string, { readonly HostIp: string; readonly HostPort: string }[] | null> | null;
    readonly Networks: Record<
      string,
      { readonly NetworkID: string; readonly IPAddress: string; readonly MacAddress?: string }
    > | null;
  };
}

/** GET /networks/{name}: the IPAM config holds each subnet and its gateway (the host's address on it). */
export interface NetworkInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly IPAM: {
    readonly Config: readonly { readonly Subnet?: string; readonly Gateway?: string }[] | null;
  };
  readonly Labels: Record<string, string> | null;
}

export interface ContainerSummary {
  readonly Id: string;
  readonly Names: string[];
  readonly Image: string;
  readonly ImageID: string;
  readonly Labels: Record<string, string> | null;
  readonly State: ContainerStatus;
  readonly Status: string;
  readonly Created: number;
}

/** One object of GET /events: `Action` is `die`, `start`, `health_status: unhealthy`, ... */
export interface EngineEvent {
  readonly Type: 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'service' | 'node' | string;
  readonly Action: string;
  /** For a container: its ID, and Attributes holding its labels plus name, image and (on die) exitCode. */
  readonly Actor: { readonly ID: string; readonly Attributes: Record<string, string> };
  readonly time: number;
  readonly timeNano: number;
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

export interface WaitResult {
  readonly exitCode: number;
  readonly error?: string;
}

export interface LogOptions {
  readonly follow?: boolean;
  /** A time, or seconds since the epoch. */
  readonly since?: Date | number;
  /** How many of the last lines to start from: a number or `all` (the default). */
  readonly tail?: number | 'all';
  /** The container was created with Tty: its output is not multiplexed. */
  readonly tty?: boolean;
  readonly signal?: AbortSignal;
}

export interface EventOptions {
  /** Docker's event filters: type, event, container, image, label, network, volume, ... */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
  readonly since?: Date | number;
  readonly signal?: AbortSignal;
}
