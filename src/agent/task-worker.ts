import type { ContainerDefinition, TaskAssignment, TaskReport, TaskStatus } from '../ecs/index.ts';
import { awslogsTarget, openLogStream, shipLogs } from './log-shipping.ts';
import { dependencyVerdict, startOrder } from './dependencies.ts';
import { containerReport, type ContainerState } from './container-state.ts';
import { ecsEnvironment } from './ecs-environment.ts';
import {
  CannotPullContainerError,
  CannotStartContainerError,
  PAUSE_CONTAINER_NAME,
  type RuntimeContainer,
  type TaskNetwork,
} from './runtime.ts';
import {
  containerEnvironment,
  NO_RESOURCES,
  prepareTaskResources,
  withSecretLogOptions,
  type ExecutionServices,
  type TaskResources,
} from './task-resources.ts';
import type { TaskWorkerSnapshot, WorkerOptions } from './worker-options.ts';

export type { MetadataRegistration, TaskWorkerSnapshot, WorkerOptions } from './worker-options.ts';

const POLL_MS = 500;
/** Tries at publishing a container's ports: the placed ones, then ports the engine picks. */
const HOST_PORT_ATTEMPTS = 4;

/**
 * One task on this host, from pull to cleanup: the ECS agent's per-task state machine. It starts
 * containers in dependsOn order, watches them (exits, health), stops the task when an essential
 * container exits or the server asks, and reports every change through the report queue.
 */
export class TaskWorker {
  #task: TaskAssignment;
  readonly #options: WorkerOptions;
  readonly #containers = new Map<string, ContainerState>();
  #network: TaskNetwork | undefined;
  /** What the containers still to create need: environment files, secrets, pull credentials, the role's URI. */
  #resources: TaskResources = NO_RESOURCES;
  #execution: ExecutionServices | undefined;
  #lastStatus: TaskStatus;
  #stopCode: TaskReport['stopCode'];
  #stoppedReason: string | undefined;
  #pullStartedAt: Date | undefined;
  #pullStoppedAt: Date | undefined;
  #stopping = false;
  #detached = false;
  readonly #shippers: Promise<void>[] = [];
  #changed: () => void = () => {};
  readonly done: Promise<void>;
  /** Settles once the worker knows its containers: re-attached after a restart, or about to launch. */
  readonly known: Promise<void>;
  #markKnown: () => void = () => {};

  constructor(task: TaskAssignment, options: WorkerOptions) {
    this.#task = task;
    this.#options = options;
    this.#lastStatus = task.lastStatus as TaskStatus;
    for (const c of task.containers)
      this.#containers.set(c.name!, {
        status: 'PENDING',
        started: false,
        ...(c.healthCheck ? { health: 'UNKNOWN' } : {}),
      });
    this.known = new Promise((resolve) => (this.#markKnown = resolve));
    // A worker never rejects: what goes wrong is reported on the task, or logged once the agent is gone.
    this.done = this.#run().catch((error: unknown) => {
      if (!this.#detached) options.log.warn({ err: String(error), task: task.taskArn }, 'task worker failed');
    });
  }

  get taskArn(): string {
    return this.#task.taskArn;
  }

  /** The server's latest view of the task: desiredStatus STOPPED stops it. */
  update(task: TaskAssignment): void {
    this.#task = { ...task, containers: this.#task.containers };
    if (task.desiredStatus === 'STOPPED') this.stop();
  }

  /** The agent is going away: stop watching and reporting, leave the containers as they are. */
  detach(): void {
    this.#detached = true;
    this.#changed();
  }

  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#changed();
  }

  async #run(): Promise<void> {
    try {
      this.#options.metadata?.register();
      const existing = await this.#options.runtime.taskContainers(this.#task.taskArn);
      // The agent (or the server running managed capacity) stopped in the middle of a launch: some
      // container is not created or not started yet. The launch resumes where it was.
      const interrupted = this.#task.containers.some((c) => !existing.some((e) => e.name === c.name && e.started));
      if (!interrupted) await this.#reattach(existing);
      this.#markKnown();
      if (interrupted && !this.#stopping) await this.#launch(existing);
      if (!this.#stopping) await this.#watchUntilStop();
    } catch (error) {
      this.#markKnown();
      if (this.#detached) return;
      this.#fail('TaskFailedToStart', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
    if (this.#detached) return;
    await this.#stopEverything();
    await this.#options.roles?.release(this.#task);
    this.#lastStatus = 'STOPPED';
    this.#report();
    setTimeout(() => void this.#cleanUp(), this.#options.cleanupDelayMs).unref();
  }

  /** Launches the task: its network, images and containers in dependency order (skipping what exists). */
  async #launch(existing: readonly RuntimeContainer[]): Promise<void> {
    const { runtime } = this.#options;
    const byName = new Map(existing.map((c) => [c.name, c]));
    const toCreate = this.#task.containers.filter((c) => !byName.has(c.name!));
    this.#resources = await prepareTaskResources(this.#task, toCreate, {
      execution: this.#executionServices(),
      readEnvironmentFile: this.#options.readEnvironmentFile,
      roles: this.#options.roles,
    });
    if (this.#task.networkMode === 'awsvpc') {
      const pause = byName.get(PAUSE_CONTAINER_NAME);
      this.#network = (pause && (await runtime.networkOf(pause.id))) ?? (await runtime.createTaskNetwork(this.#task));
      await this.#options.roles?.route(this.#task, this.#network.mac);
      this.#lastStatus = 'PENDING';
      this.#report();
    }
    this.#pullStartedAt = this.#options.now();
    for (const image of new Set(toCreate.map((c) => c.image!))) {
      try {
        const { digest } = await runtime.pullImage(image, { auth: this.#resources.registryAuth.get(image) });
        for (const c of this.#task.containers.filter((c) => c.image === image))
          this.#state(c.name!).imageDigest = digest;
      } catch (error) {
        if (!(error instanceof CannotPullContainerError)) throw error;
        const reason = `CannotPullContainerError: ${error.message}`;
        for (const c of this.#task.containers.filter((c) => c.image === image)) this.#state(c.name!).reason = reason;
        this.#fail('TaskFailedToStart', reason);
        return;
      }
    }
    this.#pullStoppedAt = this.#options.now();
    const ids = new Map<string, string>();
    for (const container of startOrder(this.#task.containers)) {
      if (this.#stopping) return;
      const found = byName.get(container.name!);
      if (found?.started) {
        ids.set(container.name!, found.id);
        await this.#adopt(container, found);
        continue;
      }
      const verdict = await this.#dependenciesMet(container);
      if (verdict !== true) {
        this.#state(container.name!).reason = verdict;
        this.#fail('TaskFailedToStart', verdict);
        return;
      }
      const id = await this.#createAndStart(container, ids, found?.id);
      ids.set(container.name!, id);
      this.#markRunning(container.name!, id);
    }
    this.#lastStatus = 'RUNNING';
    this.#report();
  }

  /**
   * Creates and starts one container on the placed host ports. If another process on the host holds
   * a dynamic port (several agents on one machine, or any program listening on an ephemeral port),
   * the container is made again with ports the engine picks, a few times, and the report carries
   * the ports actually published.
   */
  async #createAndStart(
    container: ContainerDefinition,
    ids: ReadonlyMap<string, string>,
    created?: string,
  ): Promise<string> {
    const { runtime } = this.#options;
    const environmentFiles = this.#resources.environmentFiles.get(container.name!) ?? {};
    const extraEnvironment = containerEnvironment(this.#resources, container.name!, {
      ...ecsEnvironment(this.#task, container, environmentFiles),
      ...this.#options.environmentFor?.(this.#task, container.name!),
    });
    const effective = withSecretLogOptions(this.#resources, container);
    const macAddress = await this.#options.roles?.routedContainerMac(this.#task);
    const create = (enginePicksDynamicPorts: boolean) =>
      runtime.createContainer(this.#task, effective, {
        network: this.#network,
        containerIds: ids,
        extraEnvironment,
        environmentFiles,
        enginePicksDynamicPorts,
        macAddress,
      });
    let id = created ?? (await create(false));
    for (let attempt = 1; ; attempt++) {
      this.#state(container.name!).id = id;
      await this.#openLogStream(effective, id);
      try {
        await runtime.startContainer(id);
        break;
      } catch (error) {
        if (!isHostPortTaken(error) || attempt === HOST_PORT_ATTEMPTS) throw error;
        await runtime.removeContainer(id);
        id = await create(true);
      }
    }
    this.#shipLogs(effective, id, undefined);
    if (this.#task.networkMode === 'bridge' && (container.portMappings ?? []).length > 0) {
      this.#state(container.name!).bindings = (await runtime.publishedPorts(id)).map((p) => ({ ...p }));
    }
    return id;
  }

  /** The task's execution role services, or undefined for a task without one (or an agent without roles). */
  #executionServices(): ExecutionServices | undefined {
    if (this.#execution) return this.#execution;
    const credentials = this.#options.roles?.executionCredentials(this.#task);
    this.#execution = credentials && this.#options.executionServices?.(credentials);
    return this.#execution;
  }

  /** A started container found after a restart: watched again, or known to have exited meanwhile. */
  async #adopt(container: ContainerDefinition, found: RuntimeContainer): Promise<void> {
    const state = this.#state(container.name!);
    state.id = found.id;
    state.started = found.started;
    if (found.running && this.#task.networkMode === 'bridge')
      state.bindings = (await this.#options.runtime.publishedPorts(found.id)).map((p) => ({ ...p }));
    // Lines written before now were shipped by the agent before it restarted.
    if (found.running) this.#shipLogs(container, found.id, this.#options.now());
    if (found.running) this.#markRunning(container.name!, found.id);
    else if (found.started) this.#markStopped(container.name!, found.exitCode);
  }

  /** After an agent restart: adopt the task's containers, and learn what happened meanwhile. */
  async #reattach(existing: readonly RuntimeContainer[]): Promise<void> {
    const pause = existing.find((c) => c.name === PAUSE_CONTAINER_NAME);
    if (pause) this.#network = await this.#options.runtime.networkOf(pause.id);
    await this.#options.roles?.reattach(this.#task, this.#network, existing);
    const byName = new Map(existing.map((c) => [c.name, c]));
    for (const container of this.#task.containers) {
      const found = byName.get(container.name!);
      if (found) await this.#adopt(container, found);
    }
    this.#options.log.info({ task: this.#task.taskArn }, 'agent re-attached to the task');
    if (this.#essentialExited() === undefined) {
      this.#lastStatus = 'RUNNING';
      this.#report();
    }
  }

  #markRunning(name: string, id: string): void {
    const state = this.#state(name);
    state.status = 'RUNNING';
    state.started = true;
    this.#report();
    void this.#options.runtime.waitContainer(id).then(
      (exitCode) => this.#markStopped(name, exitCode),
      () => this.#markStopped(name, undefined),
    );
  }

  #markStopped(name: string, exitCode: number | undefined): void {
    const state = this.#state(name);
    if (state.status === 'STOPPED' || this.#detached) return;
    state.status = 'STOPPED';
    if (exitCode !== undefined) state.exitCode = exitCode;
    this.#report();
    this.#changed();
  }

  #essentialExited(): string | undefined {
    return this.#task.containers.find((c) => c.essential !== false && this.#state(c.name!).status === 'STOPPED')?.name;
  }

  async #watchUntilStop(): Promise<void> {
    while (!this.#stopping && !this.#detached) {
      const exited = this.#essentialExited();
      if (exited !== undefined) {
        // ECS's stoppedReason names no container; the exited one shows in its exitCode.
        this.#fail('EssentialContainerExited', 'Essential container in task exited');
        return;
      }
      await this.#refreshHealth();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async #refreshHealth(): Promise<void> {
    for (const container of this.#task.containers) {
      const state = this.#state(container.name!);
      if (!container.healthCheck || state.status !== 'RUNNING' || !state.id) continue;
      const seen = await this.#options.runtime.inspectContainer(state.id);
      const health = seen?.health === 'healthy' ? 'HEALTHY' : seen?.health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
      if (health !== state.health) {
        state.health = health;
        this.#report();
      }
    }
  }

  async #dependenciesMet(container: ContainerDefinition): Promise<true | string> {
    const deadline = Date.now() + (container.startTimeout ?? this.#options.startTimeoutSeconds) * 1000;
    for (;;) {
      await this.#refreshHealth();
      const verdict = dependencyVerdict(container, (name) => this.#containers.get(name));
      if (verdict !== 'wait') return verdict;
      if (this.#stopping || this.#detached) return 'The task was stopped while waiting for its dependencies';
      if (Date.now() > deadline) return `Container ${container.name} timed out waiting for its dependencies`;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  #fail(code: NonNullable<TaskReport['stopCode']>, reason: string): void {
    this.#stopCode ??= code;
    this.#stoppedReason ??= reason;
    this.#stopping = true;
  }

  async #stopEverything(): Promise<void> {
    const { runtime } = this.#options;
    await Promise.all(
      this.#task.containers.map(async (container) => {
        const state = this.#state(container.name!);
        if (!state.id) return;
        if (state.status === 'RUNNING')
          await runtime.stopContainer(state.id, container.stopTimeout ?? this.#options.stopTimeoutSeconds);
        const seen = await runtime.inspectContainer(state.id);
        if (seen?.oomKilled) state.reason = 'OutOfMemoryError: Container killed due to memory usage';
        this.#markStopped(container.name!, seen?.exitCode);
      }),
    );
    for (const state of this.#containers.values()) state.status = 'STOPPED';
    // The last lines reach the log group before the task is reported STOPPED.
    await Promise.race([Promise.all(this.#shippers), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    if (this.#network) await runtime.removeTaskNetwork(this.#task, this.#network).catch(() => {});
  }

  /** Ships a container's awslogs output from `since`; a container just started (no `since`) gets its stream first. */
  /**
   * An awslogs container's stream (and group, with awslogs-create-group) is made before it starts,
   * as Docker's awslogs driver makes it: if that fails (no such group, a permission the execution
   * role lacks), the container does not start, with the driver's words.
   */
  async #openLogStream(container: ContainerDefinition, id: string): Promise<void> {
    const awslogs = this.#awslogs(container, id);
    if (!awslogs) return;
    try {
      await openLogStream(awslogs.sink, awslogs.target);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CannotStartContainerError(
        `Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ${message}`,
      );
    }
  }

  /** An awslogs container's stream and where it goes (the execution role's sink, else the agent's). */
  #awslogs(container: ContainerDefinition, id: string) {
    const sink = this.#executionServices()?.logSink ?? this.#options.logSink;
    const target = awslogsTarget(this.#task, container, id);
    return target && sink ? { sink, target } : undefined;
  }

  /** Ships a container's awslogs output from `since` (undefined: from its start). */
  #shipLogs(container: ContainerDefinition, id: string, since: Date | undefined): void {
    const { runtime, log } = this.#options;
    const awslogs = this.#awslogs(container, id);
    if (!awslogs) return;
    const { sink: logSink, target } = awslogs;
    const onError = (error: unknown) =>
      log.warn({ err: String(error), group: target.group }, 'container logs not delivered yet');
    if (!runtime.followLogs) return;
    const lines = runtime.followLogs(id, { since });
    this.#shippers.push(
      shipLogs(lines, logSink, target, { onError }).catch((error: unknown) =>
        log.warn({ err: String(error) }, 'container log shipping ended'),
      ),
    );
  }

  async #cleanUp(): Promise<void> {
    for (const container of await this.#options.runtime.taskContainers(this.#task.taskArn).catch(() => [])) {
      await this.#options.runtime.removeContainer(container.id).catch(() => {});
    }
    await this.#options.runtime.removeTaskVolumes?.(this.#task).catch(() => {});
    this.#options.metadata?.deregister();
  }

  #state(name: string): ContainerState {
    return this.#containers.get(name)!;
  }

  #report(): void {
    if (this.#detached) return;
    const containers = this.#task.containers.map((c) =>
      containerReport(c.name!, this.#state(c.name!), this.#task.bindings[c.name!]),
    );
    const stopped = this.#lastStatus === 'STOPPED';
    this.#options.reports.send(this.#task.cluster, {
      taskArn: this.#task.taskArn,
      lastStatus: this.#lastStatus,
      containers,
      ...(this.#network
        ? {
            networkInterface: {
              privateIPv4Address: this.#network.ipv4,
              macAddress: this.#network.mac,
              networkInterfaceId: this.#network.interfaceId,
            },
          }
        : {}),
      pullStartedAt: this.#pullStartedAt,
      pullStoppedAt: this.#pullStoppedAt,
      ...(stopped
        ? { executionStoppedAt: this.#options.now(), stopCode: this.#stopCode, stoppedReason: this.#stoppedReason }
        : {}),
    });
  }

  /** What this worker knows of its task now, for the task metadata endpoint (a copy). */
  snapshot(): TaskWorkerSnapshot {
    return {
      task: this.#task,
      lastStatus: this.#lastStatus,
      containers: this.#task.containers.map((c) => {
        const state = this.#state(c.name!);
        return {
          name: c.name!,
          status: state.status,
          ...(state.id ? { runtimeId: state.id } : {}),
          ...(state.exitCode !== undefined ? { exitCode: state.exitCode } : {}),
          ...(state.health ? { health: state.health } : {}),
          bindings:
            state.id && state.status !== 'STOPPED' ? (state.bindings ?? [...(this.#task.bindings[c.name!] ?? [])]) : [],
        };
      }),
      ...(this.#network ? { network: this.#network } : {}),
      ...(this.#pullStartedAt ? { pullStartedAt: this.#pullStartedAt } : {}),
      ...(this.#pullStoppedAt ? { pullStoppedAt: this.#pullStoppedAt } : {}),
    };
  }
}

/** Whether starting a container failed on a host port something else holds (Docker's or the kernel's words). */
function isHostPortTaken(error: unknown): boolean {
  return (
    error instanceof CannotStartContainerError && /port is already allocated|address already in use/.test(error.message)
  );
}
