import type { TaskAssignment, TaskRoleCredentials, TaskRoleKind } from '../ecs/index.ts';
import { RefreshingCredentials, type CredentialSource } from './agent-credentials.ts';
import type { TaskCredentialsControl } from './control-plane.ts';
import type { CredentialsRegistry, MetadataAddresses } from './metadata/metadata-server.ts';
import { ResourceInitializationError, type RuntimeContainer, type TaskNetwork } from './runtime.ts';

/** The variable whose path, on http://169.254.170.2, gives a container its task role's credentials. */
export const CREDENTIALS_URI_VARIABLE = 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI';

/**
 * What sends a container's connections to 169.254.170.2:80 to this agent's credentials endpoint
 * (runtime/docker/credentials-routes.ts: NAT rules on the host, per container interface).
 */
export interface CredentialsRouter {
  /** A MAC address for a container's interface (random, locally administered). */
  newContainerMac(): string;
  addContainer(route: ContainerRoute): Promise<void>;
  removeContainer(route: ContainerRoute): Promise<void>;
  addHost(route: { port: number; owner: string }): Promise<void>;
  removeHost(route: { port: number; owner: string }): Promise<void>;
}

interface ContainerRoute {
  readonly mac: string;
  readonly address: string;
  readonly port: number;
  readonly owner: string;
  readonly taskId: string;
}

/** The credentials endpoint: the metadata server's table, port and listening addresses. */
export interface CredentialsEndpoint extends CredentialsRegistry {
  readonly port: number;
  readonly addresses: MetadataAddresses;
  credentialsIdFor(taskArn: string): string;
}

export interface TaskRolesOptions {
  readonly control: TaskCredentialsControl;
  /** Absent (no Docker networks to listen on): tasks with a task role fail to start, saying why. */
  readonly endpoint?: CredentialsEndpoint | undefined;
  /** Absent (no iptables, not root): likewise. */
  readonly router?: CredentialsRouter | undefined;
  /** The agent's owner label: its routes are told apart from other agents' on the same host. */
  readonly owner: string;
  readonly now: () => Date;
  readonly log: { warn(obj: object, msg: string): void };
}

interface Held {
  readonly task?: RefreshingCredentials;
  readonly execution?: RefreshingCredentials;
  readonly routes: ContainerRoute[];
  host: boolean;
}

/**
 * A task's two roles on this host, as the ECS agent handles them: the execution role's session
 * for what the agent does for the task (pulls, awslogs, secrets), and the task role's session,
 * served to the task's containers at http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
 * Sessions come from the control plane and are renewed before they expire (RefreshingCredentials);
 * the server revokes them when the task stops, and `release` forgets them and the routes here.
 */
export class TaskRoles {
  readonly #options: TaskRolesOptions;
  readonly #held = new Map<string, Held>();
  #hostTasks = 0;

  constructor(options: TaskRolesOptions) {
    this.#options = options;
  }

  /**
   * For a bridge container of a task with a task role: a MAC address of the agent's choosing,
   * already routed to the credentials endpoint, to create the container with. Undefined otherwise.
   */
  async routedContainerMac(task: TaskAssignment): Promise<string | undefined> {
    const { router } = this.#options;
    if (task.networkMode !== 'bridge' || !task.taskRoleArn || !router) return undefined;
    const mac = router.newContainerMac();
    await this.route(task, mac);
    return mac;
  }

  /**
   * After an agent restart, for containers that kept running: the task role's credentials and
   * routes again (the awsvpc sandbox's MAC, or each bridge container's). A failure is logged: the
   * containers run on without credentials.
   */
  async reattach(
    task: TaskAssignment,
    network: TaskNetwork | undefined,
    containers: readonly RuntimeContainer[],
  ): Promise<void> {
    if (!task.taskRoleArn) return;
    try {
      await this.attach(task);
      const macs = network
        ? [network.mac]
        : containers.flatMap((c) => (c.running && c.macAddress ? [c.macAddress] : []));
      for (const mac of macs) await this.route(task, mac);
    } catch (error) {
      this.#options.log.warn(
        { err: messageOf(error), task: task.taskArn },
        "the task's containers get no role credentials until it is restarted",
      );
    }
  }

  /**
   * The task role's session source, as the task's containers get it; undefined for a task without
   * a task role, or one this agent does not run. ECS Exec ships a session's output with it, as the
   * SSM agent in a task does.
   */
  taskCredentials(taskArn: string): CredentialSource | undefined {
    return this.#held.get(taskArn)?.task;
  }

  /** The execution role's session source; undefined for a task without an execution role. */
  executionCredentials(task: TaskAssignment): CredentialSource | undefined {
    if (!task.executionRoleArn) return undefined;
    return this.#entry(task).execution;
  }

  /**
   * Prepares the task role for the task's containers: the first session fetched now (a task whose
   * role cannot be assumed fails to start), the endpoint answering for the task's id, and for host
   * mode the host's route. Returns the variable the containers get; none without a task role.
   */
  async attach(task: TaskAssignment): Promise<Record<string, string>> {
    if (!task.taskRoleArn) return {};
    const { endpoint, router } = this.#options;
    if (!endpoint || !router) {
      throw new ResourceInitializationError(
        `unable to provide the task role's credentials: this host cannot route ${'169.254.170.2'} to the agent (${
          endpoint ? 'iptables is unavailable: the agent must run as root with iptables' : 'no task metadata endpoint'
        })`,
      );
    }
    const held = this.#entry(task);
    const source = held.task!;
    try {
      await source.current();
    } catch (error) {
      throw new ResourceInitializationError(`unable to get the task role's credentials: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const id = endpoint.credentialsIdFor(task.taskArn);
    const roleArn = task.taskRoleArn;
    endpoint.registerCredentials(id, async () => document(roleArn, await source.current()));
    if (task.networkMode === 'host' && !held.host) {
      held.host = true;
      this.#hostTasks += 1;
      if (this.#hostTasks === 1) await router.addHost({ port: endpoint.port, owner: this.#options.owner });
    }
    return { [CREDENTIALS_URI_VARIABLE]: `/v2/credentials/${id}` };
  }

  /**
   * Routes 169.254.170.2 from one interface of the task (a bridge container's, or the awsvpc
   * sandbox's) to the endpoint on that network's gateway, before anything in it starts.
   */
  async route(task: TaskAssignment, mac: string): Promise<void> {
    const { endpoint, router } = this.#options;
    if (!task.taskRoleArn || !endpoint || !router) return;
    const address = task.networkMode === 'awsvpc' ? endpoint.addresses.awsvpc : endpoint.addresses.bridge;
    if (!address) throw new ResourceInitializationError(`no task metadata endpoint on the ${task.networkMode} network`);
    const route = { mac, address, port: endpoint.port, owner: this.#options.owner, taskId: taskIdOf(task.taskArn) };
    await router.addContainer(route);
    this.#entry(task).routes.push(route);
  }

  /** The task is gone: its credentials leave the endpoint and its routes the host. */
  async release(task: TaskAssignment): Promise<void> {
    const held = this.#held.get(task.taskArn);
    if (!held) return;
    this.#held.delete(task.taskArn);
    const { endpoint, router } = this.#options;
    endpoint?.deregisterCredentials(endpoint.credentialsIdFor(task.taskArn));
    for (const route of held.routes) {
      await router?.removeContainer(route).catch((error: unknown) => this.#warn(error, task));
    }
    if (held.host) {
      this.#hostTasks -= 1;
      if (this.#hostTasks === 0 && endpoint) {
        await router
          ?.removeHost({ port: endpoint.port, owner: this.#options.owner })
          .catch((error: unknown) => this.#warn(error, task));
      }
    }
  }

  #entry(task: TaskAssignment): Held {
    let held = this.#held.get(task.taskArn);
    if (!held) {
      const session = (role: TaskRoleKind) =>
        new RefreshingCredentials(
          () => this.#options.control.taskCredentials({ cluster: task.cluster, taskArn: task.taskArn }, role),
          {
            now: this.#options.now,
            onRenewalFailed: (error) =>
              this.#options.log.warn(
                { err: messageOf(error), task: task.taskArn, role },
                'task role session not renewed yet: the held one is kept while it lasts',
              ),
          },
        );
      held = {
        ...(task.taskRoleArn ? { task: session('task') } : {}),
        ...(task.executionRoleArn ? { execution: session('execution') } : {}),
        routes: [],
        host: false,
      };
      this.#held.set(task.taskArn, held);
    }
    return held;
  }

  #warn(error: unknown, task: TaskAssignment): void {
    this.#options.log.warn({ err: messageOf(error), task: task.taskArn }, 'task credentials route not removed');
  }
}

/** The document the endpoint answers, from a session the control plane issued. */
function document(
  roleArn: string,
  credentials: Awaited<ReturnType<CredentialSource['current']>>,
): {
  RoleArn: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
} {
  return {
    RoleArn: (credentials as Partial<TaskRoleCredentials>).roleArn ?? roleArn,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken ?? '',
    Expiration: (credentials.expiration ?? new Date(0)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

function taskIdOf(taskArn: string): string {
  return taskArn.split('/').at(-1)!;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
