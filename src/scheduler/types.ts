/** What the scheduler knows of one container instance, as of the snapshot it decides on. */
export interface InstanceSnapshot {
  readonly arn: string;
  /** The instance id (the last part of the ARN), what spread by instanceId/host counts on. */
  readonly id: string;
  readonly status: string;
  readonly agentConnected: boolean;
  /** What is left once running and pending tasks' reservations are taken out. */
  readonly remaining: {
    readonly cpu: number;
    readonly memory: number;
    readonly gpus: number;
    /** Host ports in use (reserved ports and other tasks' bindings). */
    readonly tcpPorts: ReadonlySet<number>;
    readonly udpPorts: ReadonlySet<number>;
  };
  /** Built-in (ecs.*) and custom attributes; a value of undefined: the attribute exists without one. */
  readonly attributes: ReadonlyMap<string, string | undefined>;
  /** Tasks on the instance by task group (family:NAME, service:NAME, or the RunTask group). */
  readonly groupCounts: ReadonlyMap<string, number>;
}

/** What one task needs from an instance. */
export interface TaskNeeds {
  readonly cpu: number;
  readonly memory: number;
  readonly gpus: number;
  /** Static host ports (TCP, UDP); dynamic ones (hostPort 0) are counted and chosen by the scheduler. */
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  readonly dynamicTcpPorts: number;
  readonly dynamicUdpPorts: number;
  /** Attributes the instance must have (value undefined: any value). */
  readonly requiresAttributes: readonly { readonly name: string; readonly value?: string | undefined }[];
  /** The task group, e.g. service:web or family:app. */
  readonly group: string;
  /** From the task definition: the instance's ecs.os-type and ecs.cpu-architecture must match. */
  readonly runtimePlatform?:
    { readonly operatingSystemFamily?: string | undefined; readonly cpuArchitecture?: string | undefined } | undefined;
}

export type PlacementConstraint =
  | { readonly type: 'distinctInstance' }
  | { readonly type: 'memberOf'; readonly test: (instance: InstanceSnapshot) => boolean; readonly expression: string };

export type PlacementStrategy =
  | { readonly type: 'binpack'; readonly field: 'cpu' | 'memory' }
  | { readonly type: 'spread'; readonly field: string }
  | { readonly type: 'random' };

export interface PlacementRequest {
  readonly needs: TaskNeeds;
  readonly count: number;
  readonly instances: readonly InstanceSnapshot[];
  readonly constraints: readonly PlacementConstraint[];
  /** Up to 5, applied in order; each later one breaks the ties of those before. */
  readonly strategies: readonly PlacementStrategy[];
  /** A seeded source of numbers in [0, 1): the only randomness the scheduler uses. */
  readonly random: () => number;
}

export interface Placement {
  readonly instanceArn: string;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

/** Why a task could not go on an instance, as ECS words it in RunTask's failures. */
export type PlacementReason =
  | 'RESOURCE:CPU'
  | 'RESOURCE:MEMORY'
  | 'RESOURCE:GPU'
  | 'RESOURCE:PORTS'
  | 'RESOURCE:PORTS_UDP'
  | 'ATTRIBUTE'
  | 'MemberOf constraint'
  | 'DistinctInstance'
  | 'INACTIVE'
  | 'AGENT';

export interface PlacementFailure {
  readonly arn: string | undefined;
  readonly reason: string;
}

export interface PlacementResult {
  readonly placements: readonly Placement[];
  readonly failures: readonly PlacementFailure[];
}
