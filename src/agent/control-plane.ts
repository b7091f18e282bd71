import type {
  PollResponse,
  TaskReport,
  TaskRoleCredentials,
  TaskRoleKind,
  UpdateTaskProtectionResponse,
} from '../ecs/index.ts';

/**
 * The agent's side of the assignment channel (docs/agent-channel.md): a long poll for the tasks
 * assigned to it, and reports of their state. `berth agent` speaks it over HTTP with SigV4; the
 * server's managed (FARGATE) capacity calls the control plane in process.
 */
export interface ControlPlane {
  poll(token: string | undefined, waitSeconds: number, signal?: AbortSignal): Promise<PollResponse>;
  report(cluster: string, report: TaskReport): Promise<{ lastStatus: string; desiredStatus: string }>;
}

/**
 * What the agent's task protection endpoint asks the control plane, for one task of this agent:
 * ECS's GetTaskProtection (no `change`) or UpdateTaskProtection. Errors carry the API's `code`
 * (and `status`, or `senderFault`), as the ECS agent relays them to the container.
 */
export interface TaskProtectionControl {
  taskProtection(
    task: { readonly cluster: string; readonly taskArn: string },
    change?: { readonly protectionEnabled: boolean; readonly expiresInMinutes?: number | undefined },
  ): Promise<UpdateTaskProtectionResponse>;
}

/**
 * Where the agent gets a session of one of its tasks' roles, as the ECS agent gets them from ACS:
 * the task role's for the credentials endpoint, the execution role's for pulls, logs and secrets.
 */
export interface TaskCredentialsControl {
  taskCredentials(
    task: { readonly cluster: string; readonly taskArn: string },
    role: TaskRoleKind,
  ): Promise<TaskRoleCredentials>;
}

/**
 * Delivers task reports in order, retrying with backoff through a server outage. Reports carry a
 * task's whole state, so only the latest one per task needs to wait: an older pending one is
 * replaced, never sent after a newer one.
 */
export class ReportQueue {
  readonly #control: ControlPlane;
  readonly #pending = new Map<string, { cluster: string; report: TaskReport }>();
  readonly #onError: (error: unknown) => void;
  #running: Promise<void> | undefined;
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(control: ControlPlane, onError: (error: unknown) => void) {
    this.#control = control;
    this.#onError = onError;
  }

  send(cluster: string, report: TaskReport): void {
    // Re-inserting moves the task to the back: reports go out in the order they were made.
    this.#pending.delete(report.taskArn);
    this.#pending.set(report.taskArn, { cluster, report });
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
      for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  /** Resolves when every queued report was delivered (or the queue stopped). */
  async flushed(): Promise<void> {
    if (!this.#running) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  stop(): void {
    this.#stopped = true;
  }

  async #drain(): Promise<void> {
    // Reports made in the same turn (a container RUNNING, then its task RUNNING) go as one: the last.
    await Promise.resolve();
    let delay = 250;
    while (!this.#stopped && this.#pending.size > 0) {
      const [taskArn, entry] = this.#pending.entries().next().value!;
      try {
        await this.#control.report(entry.cluster, entry.report);
        if (this.#pending.get(taskArn) === entry) this.#pending.delete(taskArn);
        delay = 250;
      } catch (error) {
        this.#onError(error);
        if ((error as { permanent?: boolean }).permanent) {
          // The server refused it for good (the task is gone): retrying cannot help.
          if (this.#pending.get(taskArn) === entry) this.#pending.delete(taskArn);
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }
}
