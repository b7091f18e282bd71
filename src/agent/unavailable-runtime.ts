import { ResourceInitializationError, type ContainerRuntime } from './runtime.ts';

/**
 * The runtime of managed capacity when no container engine is reachable: the server still serves
 * every API, and each FARGATE task stops at once with this reason instead of staying PENDING.
 */
export class UnavailableRuntime implements ContainerRuntime {
  readonly #reason: string;
  constructor(reason: string) {
    this.#reason = reason;
  }

  #fail(): never {
    throw new ResourceInitializationError(this.#reason);
  }

  resources = async (): Promise<never> => this.#fail();
  pullImage = async (): Promise<never> => this.#fail();
  createTaskNetwork = async (): Promise<never> => this.#fail();
  removeTaskNetwork = async (): Promise<void> => {};
  createContainer = async (): Promise<never> => this.#fail();
  startContainer = async (): Promise<never> => this.#fail();
  inspectContainer = async (): Promise<undefined> => undefined;
  publishedPorts = async (): Promise<never[]> => [];
  waitContainer = async (): Promise<never> => this.#fail();
  stopContainer = async (): Promise<void> => {};
  removeContainer = async (): Promise<void> => {};
  taskContainers = async (): Promise<never> => this.#fail();
  ownedTasks = async (): Promise<string[]> => [];
  networkOf = async (): Promise<undefined> => undefined;
}
