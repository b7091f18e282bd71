import { createHash } from 'node:crypto';
import type { ContainerDefinition, TaskAssignment } from '../../../ecs/index.ts';
import type { ContainerRuntime, PublishedPort, PulledImage, RuntimeContainer, TaskNetwork } from '../../runtime.ts';

export interface SimulatedRuntimeOptions {
  /** CPU units and MiB the host reports (an agent's --cpu/--memory override them anyway). */
  readonly cpu?: number;
  readonly memory?: number;
  /** How long a start takes, in ms (0: at once). */
  readonly startDelayMs?: number;
}

interface SimulatedContainer {
  readonly id: string;
  readonly name: string;
  readonly taskArn: string;
  running: boolean;
  started: boolean;
  exitCode?: number;
  readonly exited: PromiseWithResolvers<number>;
}

/**
 * A container engine that runs nothing (Nomad's mock driver): containers start at once (or after
 * a small delay), run until they are stopped, and stop at once with exit code 0. For scale
 * benchmarks with thousands of simulated hosts in one process; no Docker, no network, no images.
 */
export class SimulatedRuntime implements ContainerRuntime {
  readonly #options: SimulatedRuntimeOptions;
  readonly #containers = new Map<string, SimulatedContainer>();
  readonly #byTask = new Map<string, Set<string>>();
  #next = 0;

  constructor(options: SimulatedRuntimeOptions = {}) {
    this.#options = options;
  }

  async resources(): Promise<{ cpu: number; memory: number }> {
    return { cpu: this.#options.cpu ?? 2048, memory: this.#options.memory ?? 4096 };
  }

  /** Images "come from a registry" with a digest derived from their name, so reports carry one. */
  async pullImage(image: string): Promise<PulledImage> {
    return { digest: `sha256:${createHash('sha256').update(image).digest('hex')}` };
  }

  async createTaskNetwork(task: TaskAssignment): Promise<TaskNetwork> {
    const n = ++this.#next;
    return {
      sandboxId: `sandbox-${task.taskArn.split('/').at(-1)}`,
      ipv4: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      mac: '02:00:00:00:00:01',
      interfaceId: `eni-${n.toString(16).padStart(17, '0')}`,
    };
  }

  async removeTaskNetwork(): Promise<void> {}

  async createContainer(task: TaskAssignment, container: ContainerDefinition): Promise<string> {
    const id = `sim${(++this.#next).toString(16).padStart(16, '0')}`;
    this.#containers.set(id, {
      id,
      name: container.name!,
      taskArn: task.taskArn,
      running: false,
      started: false,
      exited: Promise.withResolvers<number>(),
    });
    const ids = this.#byTask.get(task.taskArn) ?? new Set<string>();
    ids.add(id);
    this.#byTask.set(task.taskArn, ids);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const container = this.#require(id);
    const delay = this.#options.startDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    container.running = true;
    container.started = true;
  }

  async publishedPorts(): Promise<PublishedPort[]> {
    return [];
  }

  async inspectContainer(id: string): Promise<RuntimeContainer | undefined> {
    const container = this.#containers.get(id);
    return container && view(container);
  }

  waitContainer(id: string): Promise<number> {
    return this.#require(id).exited.promise;
  }

  async stopContainer(id: string): Promise<void> {
    const container = this.#containers.get(id);
    if (!container?.running) return;
    container.running = false;
    container.exitCode = 0;
    container.exited.resolve(0);
  }

  async removeContainer(id: string): Promise<void> {
    const container = this.#containers.get(id);
    if (!container) return;
    if (container.running) await this.stopContainer(id);
    this.#containers.delete(id);
    const ids = this.#byTask.get(container.taskArn);
    ids?.delete(id);
    if (ids?.size === 0) this.#byTask.delete(container.taskArn);
  }

  async taskContainers(taskArn: string): Promise<RuntimeContainer[]> {
    return [...(this.#byTask.get(taskArn) ?? [])].map((id) => view(this.#containers.get(id)!));
  }

  async ownedTasks(): Promise<string[]> {
    return [...this.#byTask.keys()];
  }

  async networkOf(): Promise<TaskNetwork | undefined> {
    return undefined;
  }

  /** Containers that are running now (benchmarks check it against what the server says). */
  get runningCount(): number {
    let count = 0;
    for (const container of this.#containers.values()) if (container.running) count++;
    return count;
  }

  #require(id: string): SimulatedContainer {
    const container = this.#containers.get(id);
    if (!container) throw new Error(`no such container: ${id}`);
    return container;
  }
}

function view(container: SimulatedContainer): RuntimeContainer {
  return {
    id: container.id,
    name: container.name,
    running: container.running,
    started: container.started,
    ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
  };
}
