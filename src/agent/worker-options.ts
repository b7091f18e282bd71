import type { NetworkBinding, TaskAssignment, TaskStatus } from '../ecs/index.ts';
import type { CredentialSource } from './agent-credentials.ts';
import type { ReportQueue } from './control-plane.ts';
import type { EnvironmentFileReader } from './environment-files.ts';
import type { LogSink } from './log-shipping.ts';
import type { ContainerRuntime, TaskNetwork } from './runtime.ts';
import type { ExecutionServices } from './task-resources.ts';
import type { TaskRoles } from './task-roles.ts';

/** What a task worker runs with: the runtime, the report queue, the agent's settings and services. */
export interface WorkerOptions {
  readonly runtime: ContainerRuntime;
  readonly reports: ReportQueue;
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  readonly now: () => Date;
  /** ECS_CONTAINER_STOP_TIMEOUT: SIGTERM to SIGKILL when a container sets no stopTimeout. */
  readonly stopTimeoutSeconds: number;
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: how long a stopped task's containers are kept. */
  readonly cleanupDelayMs: number;
  /** ECS_CONTAINER_START_TIMEOUT: the longest a container waits for its dependencies. */
  readonly startTimeoutSeconds: number;
  /** Where awslogs output goes (CloudWatch Logs API); without one, awslogs containers keep json-file logs only. */
  readonly logSink?: LogSink | undefined;
  /** Downloads containers' environmentFiles (S3 objects) from the server; without one, such tasks fail to start. */
  readonly readEnvironmentFile?: EnvironmentFileReader | undefined;
  /** Extra environment for each container (the task metadata endpoint's URI). */
  readonly environmentFor?: (task: TaskAssignment, container: string) => Record<string, string>;
  /** This task's entry in the task metadata endpoint. */
  readonly metadata?: MetadataRegistration | undefined;
  /** The tasks' task and execution roles (sessions, the credentials endpoint, its routes). */
  readonly roles?: TaskRoles | undefined;
  /** What the agent does for a task as its execution role (absent: as itself, with the options above). */
  readonly executionServices?: ((credentials: CredentialSource) => ExecutionServices) | undefined;
}

/**
 * ECS serves a task's metadata from the moment its containers start: the worker registers its
 * task before it creates or re-attaches to any container, and deregisters it once the task's
 * containers are removed (the cleanup after ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION).
 */
export interface MetadataRegistration {
  register(): void;
  deregister(): void;
}

/** A task worker's view of its task: the assignment, plus what it learned running it. */
export interface TaskWorkerSnapshot {
  readonly task: TaskAssignment;
  readonly lastStatus: TaskStatus;
  readonly containers: readonly {
    readonly name: string;
    readonly status: 'PENDING' | 'RUNNING' | 'STOPPED';
    readonly runtimeId?: string;
    readonly exitCode?: number;
    readonly health?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';
    /** The host ports it is published on, once created and until it stops. */
    readonly bindings: readonly NetworkBinding[];
  }[];
  readonly network?: TaskNetwork;
  readonly pullStartedAt?: Date;
  readonly pullStoppedAt?: Date;
}
