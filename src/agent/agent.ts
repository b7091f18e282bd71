import type { TaskAssignment } from '../ecs/index.ts';
import { ReportQueue, type ControlPlane } from './control-plane.ts';
import type { TaskMetadataRegistry } from './metadata/metadata-server.ts';
import { taskMetadataSnapshot, type TaskMetadataSnapshot } from './metadata/task-metadata.ts';
import type { ContainerRuntime, HostNetworks, RuntimeContainer } from './runtime.ts';
import type { ExecRunner } from './exec-runner.ts';
import { TaskWorker, type WorkerOptions } from './task-worker.ts';
import { TelemetrySampler, type TelemetryControl } from './telemetry-sampler.ts';

export interface AgentOptions extends Omit<WorkerOptions, 'reports' | 'runtime' | 'metadata'> {
  readonly control: ControlPlane;
  /** How long one poll may be held by the server. */
  readonly pollWaitSeconds: number;
  readonly log: WorkerOptions['log'] & { error(obj: object, msg: string): void };
  /** The task metadata endpoint's AvailabilityZone; else the region's first, as RunTask reports it. */
  readonly availabilityZone?: string;
  /** The task metadata endpoint: each task is registered there before its first container starts. */
  readonly metadata?: TaskMetadataRegistry | undefined;
  /** Joins the ECS Exec sessions the poll lists (absent: none are joined, and they time out). */
  readonly exec?: ExecRunner | undefined;
  /** Sends the RUNNING tasks' CPU and memory use this often (absent, or a runtime without stats: none). */
  readonly telemetry?: { readonly control: TelemetryControl; readonly intervalMs: number } | undefined;
}

/** A poll the server refused (a 4xx: the client's ServerError is `permanent`). */
function isRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

/**
 * The agent's reconcile loop (level-triggered, like the ECS agent's ACS handler and Kubernetes'
 * kubelet): poll the server for the tasks assigned here, start a worker for each new one, pass
 * desired-status changes to the running ones, and stop containers of tasks the server no longer
 * knows. Runs the same for `berth agent` (EC2) and the server's managed capacity (FARGATE).
 */
export class Agent {
  readonly #options: AgentOptions;
  readonly #runtime: ContainerRuntime;
  readonly #workers = new Map<string, TaskWorker>();
  readonly reports: ReportQueue;
  #stopped = false;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #hostNetworksRead: Promise<HostNetworks> | undefined;
  readonly #telemetry: TelemetrySampler | undefined;
  readonly #connected = Promise.withResolvers<void>();
  /**
   * Resolves once the first poll is answered; rejects, and the loop ends, when the server refuses
   * it (a 4xx: the agent's identity may not poll, or the instance is unknown), which retrying
   * cannot mend. An unreachable server is retried instead.
   */
  readonly connected: Promise<void> = this.#connected.promise;

  constructor(runtime: ContainerRuntime, options: AgentOptions) {
    this.#runtime = runtime;
    this.#options = options;
    this.connected.catch(() => {});
    this.reports = new ReportQueue(options.control, (error) =>
      options.log.warn({ err: String(error) }, 'task report not delivered yet, retrying'),
    );
    const stats = runtime.containerStats?.bind(runtime);
    this.#telemetry =
      options.telemetry && stats
        ? new TelemetrySampler({
            ...options.telemetry,
            stats,
            tasks: () => this.#runningTasks(),
            now: () => options.now(),
            log: options.log,
          })
        : undefined;
  }

  start(): void {
    this.#loop ??= this.#run();
    this.#telemetry?.start();
  }

  /** The RUNNING tasks' running containers: what telemetry samples. */
  #runningTasks(): { taskArn: string; containerIds: string[] }[] {
    return [...this.#workers.values()]
      .map((worker) => worker.snapshot())
      .filter((view) => view.lastStatus === 'RUNNING')
      .map((view) => ({
        taskArn: view.task.taskArn,
        containerIds: view.containers.flatMap((c) => (c.status === 'RUNNING' && c.runtimeId ? [c.runtimeId] : [])),
      }));
  }

  /** Stops polling; running tasks' containers keep running (a restarted agent re-attaches). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#loop;
    await this.#telemetry?.stop();
    await this.#options.exec?.stop();
    for (const worker of this.#workers.values()) worker.detach();
    this.#runtime.close?.();
    await Promise.race([this.reports.flushed(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    this.reports.stop();
  }

  /**
   * A task as the metadata endpoint shows it: what its worker knows, plus the runtime's facts about
   * each container (names, image IDs, times).
   */
  async #describe(worker: TaskWorker): Promise<TaskMetadataSnapshot> {
    // A restarted agent answers only once the worker has re-attached to the task's containers.
    await worker.known;
    const view = worker.snapshot();
    const inspected = new Map<string, RuntimeContainer>();
    await Promise.all(
      view.containers.map(async ({ runtimeId }) => {
        const seen = runtimeId && (await this.#runtime.inspectContainer(runtimeId).catch(() => undefined));
        if (runtimeId && seen) inspected.set(runtimeId, seen);
      }),
    );
    const region = view.task.taskArn.split(':')[3];
    return taskMetadataSnapshot(view, {
      inspected,
      awsvpc: (await this.#hostNetworks()).awsvpc,
      availabilityZone: this.#options.availabilityZone ?? `${region}a`,
    });
  }

  /** Read once: the networks outlive the agent. */
  #hostNetworks(): Promise<HostNetworks> {
    this.#hostNetworksRead ??= (this.#runtime.hostNetworks?.() ?? Promise.resolve({})).catch((error: unknown) => {
      this.#hostNetworksRead = undefined;
      this.#options.log.warn({ err: String(error) }, 'cannot read the host networks');
      return {};
    });
    return this.#hostNetworksRead;
  }

  /** Resolves when every worker started so far is done (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.done));
  }

  async #run(): Promise<void> {
    let token: string | undefined;
    let first = true;
    let delay = 500;
    while (!this.#stopped) {
      try {
        const answer = await this.#options.control.poll(
          token,
          first ? 0 : this.#options.pollWaitSeconds,
          this.#abort.signal,
        );
        if (this.#stopped) return;
        token = answer.token;
        this.#connected.resolve();
        await this.#reconcile(answer.tasks, first);
        this.#options.exec?.handle(answer.execSessions ?? []);
        first = false;
        delay = 500;
      } catch (error) {
        if (this.#stopped) return;
        if (isRefusal(error)) {
          this.#options.log.error({ err: String(error) }, 'the Berth server refused the poll');
          if (first) {
            this.#connected.reject(error);
            return;
          }
        } else this.#options.log.warn({ err: String(error) }, 'cannot reach the Berth server, retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  async #reconcile(tasks: readonly TaskAssignment[], first: boolean): Promise<void> {
    const listed = new Set(tasks.map((t) => t.taskArn));
    for (const task of tasks) {
      const worker = this.#workers.get(task.taskArn);
      if (worker) worker.update(task);
      else this.#workers.set(task.taskArn, this.#newWorker(task));
    }
    for (const [arn, worker] of this.#workers) {
      if (listed.has(arn)) continue;
      // The server has it STOPPED (reported, or forced): stop what is left and forget it.
      worker.stop();
      void worker.done.then(() => {
        if (this.#workers.get(arn) === worker) this.#workers.delete(arn);
      });
    }
    if (first) await this.#stopOrphans(listed);
  }

  /** A worker for a new task; it registers the task with the metadata endpoint before touching a container. */
  #newWorker(task: TaskAssignment): TaskWorker {
    const registry = this.#options.metadata;
    const worker: TaskWorker = new TaskWorker(task, {
      ...this.#options,
      runtime: this.#runtime,
      reports: this.reports,
      metadata: registry && {
        register: () => registry.register(task.taskArn, () => this.#describe(worker)),
        deregister: () => registry.deregister(task.taskArn),
      },
    });
    return worker;
  }

  /** Containers of tasks the server does not list for this agent (it stopped them while we were away). */
  async #stopOrphans(listed: ReadonlySet<string>): Promise<void> {
    for (const taskArn of await this.#runtime.ownedTasks()) {
      if (listed.has(taskArn)) continue;
      for (const container of await this.#runtime.taskContainers(taskArn)) {
        if (container.running) await this.#runtime.stopContainer(container.id, this.#options.stopTimeoutSeconds);
        await this.#runtime.removeContainer(container.id).catch(() => {});
      }
      this.#options.log.info({ task: taskArn }, 'removed the containers of a task the server no longer runs here');
    }
  }
}
