import { randomBytes } from 'node:crypto';
import type { ContainerDefinition, TaskAssignment } from '../../../ecs/index.ts';
import {
  CannotPullContainerError,
  CannotStartContainerError,
  PAUSE_CONTAINER_NAME,
  ResourceInitializationError,
  type ContainerRuntime,
  type ContainerLogLine,
  type ExecProcess,
  type ExecRequest,
  type HostNetwork,
  type HostNetworks,
  type PublishedPort,
  type PulledImage,
  type RuntimeContainer,
  type StartContext,
  type TaskNetwork,
} from '../../runtime.ts';
import {
  dockerContainerName,
  dockerCreateBody,
  pauseContainerCreateBody,
  type DockerCreateBody,
  type NetworkMode,
  type TaskRuntimeContext,
  type TaskVolumeSource,
} from './container-config.ts';
import { startDockerExec } from './docker-exec.ts';
import { confine, confinedVolumeProblem, type Confinement } from './confinement.ts';
import type { DockerEngine } from './engine-client.ts';
import { DockerEngineError } from './engine-client.ts';
import type { ContainerInspect, NetworkInspect, RegistryAuth } from './engine-types.ts';
import { repoDigestOf } from './image-reference.ts';
import { ensurePauseImage } from './pause-image.ts';

/** The label that says which agent (instance id, or managed capacity) owns a container. */
export const OWNER_LABEL = 'com.berth.owner';
/** The Docker network awsvpc tasks' namespaces join (each task gets its own address on it). */
export const AWSVPC_NETWORK = 'berth-awsvpc';
const NEVER_STARTED = '0001-01-01T00:00:00Z';

export interface DockerRuntimeOptions {
  readonly engine: DockerEngine;
  readonly owner: string;
  /** Credentials for an image's registry (Berth's own), or undefined for anonymous pulls. */
  readonly registryAuth?: (image: string) => Promise<RegistryAuth | undefined>;
  /** Managed capacity's: every container is checked and limited as Fargate isolates it (confinement.ts). */
  readonly confinement?: Confinement | undefined;
  /**
   * The DNS servers of awsvpc tasks (set on the task's sandbox, which its containers share), as
   * the VPC resolver answers a task: Berth's DNS server for Cloud Map names. Undefined: Docker's.
   */
  readonly awsvpcDns?: () => readonly string[] | undefined;
  /**
   * The DNS servers of bridge-mode containers that name none of their own (dnsServers): the
   * agent's view of Berth's DNS on the bridge gateway (cmd/agent-dns.ts). Undefined: Docker's.
   */
  readonly bridgeDns?: () => readonly string[] | undefined;
}

/** The agent's ContainerRuntime on the Docker Engine API. */
export class DockerRuntime implements ContainerRuntime {
  readonly #engine: DockerEngine;
  readonly #owner: string;
  readonly #registryAuth: DockerRuntimeOptions['registryAuth'];
  readonly #confinement: Confinement | undefined;
  readonly #awsvpcDns: DockerRuntimeOptions['awsvpcDns'];
  readonly #bridgeDns: DockerRuntimeOptions['bridgeDns'];

  constructor(options: DockerRuntimeOptions) {
    this.#awsvpcDns = options.awsvpcDns;
    this.#bridgeDns = options.bridgeDns;
    this.#engine = options.engine;
    this.#owner = options.owner;
    this.#registryAuth = options.registryAuth;
    this.#confinement = options.confinement;
  }

  close(): void {
    this.#engine.close();
  }

  async resources(): Promise<{ cpu: number; memory: number }> {
    const info = await this.#engine.info();
    return { cpu: info.cpus * 1024, memory: Math.floor(info.memoryBytes / 1024 / 1024) };
  }

  /**
   * ECS's default pull behaviour: pull, and fall back to a cached copy when the pull fails. The
   * digest is the one the pull reports, else the cached image's RepoDigests entry for the
   * reference's repository (as the ECS agent finds it when it does not pull).
   */
  async pullImage(image: string, options: { readonly auth?: RegistryAuth | undefined } = {}): Promise<PulledImage> {
    let pulled: { digest?: string };
    try {
      const auth = options.auth ?? (await this.#registryAuth?.(image));
      pulled = await this.#engine.pullImage(image, auth ? { auth } : {});
    } catch (error) {
      const cached = await this.#engine.inspectImage(image).catch(() => undefined);
      if (cached) return withDigest(repoDigestOf(image, cached.RepoDigests ?? []));
      const message = error instanceof Error ? error.message : String(error);
      throw new CannotPullContainerError(`pull image ${image}: ${message}`);
    }
    if (pulled.digest !== undefined) return { digest: pulled.digest };
    const inspected = await this.#engine.inspectImage(image).catch(() => undefined);
    return withDigest(inspected && repoDigestOf(image, inspected.RepoDigests ?? []));
  }

  async createTaskNetwork(task: TaskAssignment): Promise<TaskNetwork> {
    try {
      await ensurePauseImage(this.#engine);
      await this.#ensureAwsvpcNetwork();
      const context = this.#context(task, { containerIds: new Map(), extraEnvironment: {} });
      const body = pauseContainerCreateBody({ ...context, awsvpcNetworkName: AWSVPC_NETWORK });
      body.Labels[OWNER_LABEL] = this.#owner;
      const dns = this.#awsvpcDns?.();
      if (dns?.length) body.HostConfig.Dns = [...dns];
      const id = await this.#engine.createContainer(this.#name(context, PAUSE_CONTAINER_NAME), body);
      await this.#engine.startContainer(id);
      const network = await this.networkOf(id);
      if (!network) throw new Error('the task network namespace got no address');
      return network;
    } catch (error) {
      throw new ResourceInitializationError(`unable to create the task network: ${(error as Error).message}`);
    }
  }

  async hostNetworks(): Promise<HostNetworks> {
    await this.#ensureAwsvpcNetwork();
    const [bridge, awsvpc] = await Promise.all([
      this.#engine.inspectNetwork('bridge'),
      this.#engine.inspectNetwork(AWSVPC_NETWORK),
    ]);
    return { bridge: bridge && hostNetworkOf(bridge), awsvpc: awsvpc && hostNetworkOf(awsvpc) };
  }

  exec(containerId: string, request: ExecRequest): Promise<ExecProcess> {
    return startDockerExec(this.#engine, containerId, request);
  }

  async containerStats(id: string): Promise<object | undefined> {
    return this.#engine.containerStats(id);
  }

  #ensureAwsvpcNetwork(): Promise<string> {
    return this.#engine.ensureNetwork(AWSVPC_NETWORK, { labels: { 'com.berth.network': 'awsvpc' } });
  }

  async removeTaskNetwork(_task: TaskAssignment, network: TaskNetwork): Promise<void> {
    await this.#engine.removeContainer(network.sandboxId, { force: true });
  }

  async networkOf(sandboxId: string): Promise<TaskNetwork | undefined> {
    const inspected = await this.#engine.inspectContainer(sandboxId);
    const endpoint = inspected?.NetworkSettings.Networks?.[AWSVPC_NETWORK] as
      { IPAddress: string; MacAddress?: string } | undefined;
    if (!endpoint?.IPAddress) return undefined;
    return {
      sandboxId,
      ipv4: endpoint.IPAddress,
      mac: endpoint.MacAddress ?? '',
      interfaceId: `eni-${sandboxId.slice(0, 17)}`,
    };
  }

  async createContainer(task: TaskAssignment, container: ContainerDefinition, context: StartContext): Promise<string> {
    const runtimeContext = {
      ...this.#context(task, context),
      environmentFileContents: { [container.name!]: context.environmentFiles ?? {} },
    };
    const body = this.#confined(task, dockerCreateBody(container, runtimeContext));
    body.Labels[OWNER_LABEL] = this.#owner;
    if (context.macAddress) body.MacAddress = context.macAddress;
    const dns = (task.networkMode ?? 'bridge') === 'bridge' && !body.HostConfig.Dns ? this.#bridgeDns?.() : undefined;
    if (dns?.length) body.HostConfig.Dns = [...dns];
    await this.#createVolumes(task, runtimeContext.volumes ?? {});
    try {
      return await this.#engine.createContainer(this.#name(runtimeContext, container.name!), body);
    } catch (error) {
      throw new CannotStartContainerError((error as Error).message);
    }
  }

  /** The body as a confined runtime creates it (limits set), or CannotStartContainerError with what it refuses. */
  #confined(task: TaskAssignment, body: DockerCreateBody): DockerCreateBody {
    if (!this.#confinement) return body;
    try {
      const problem = confinedVolumeProblem(task.volumes);
      if (problem !== undefined) throw new Error(problem);
      return confine(body, task, this.#confinement);
    } catch (error) {
      throw new CannotStartContainerError((error as Error).message);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.#engine.startContainer(id);
    } catch (error) {
      throw new CannotStartContainerError((error as Error).message);
    }
  }

  async publishedPorts(id: string): Promise<PublishedPort[]> {
    const inspected = await this.#engine.inspectContainer(id);
    return inspected ? publishedPortsOf(inspected) : [];
  }

  async inspectContainer(id: string): Promise<RuntimeContainer | undefined> {
    const inspected = await this.#engine.inspectContainer(id);
    return inspected && toRuntimeContainer(inspected);
  }

  followLogs(
    id: string,
    options: { since?: Date | undefined; signal?: AbortSignal | undefined },
  ): AsyncIterable<ContainerLogLine> {
    return this.#engine.containerLogs(id, {
      follow: true,
      ...(options.since ? { since: options.since } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async waitContainer(id: string): Promise<number> {
    return (await this.#engine.waitContainer(id)).exitCode;
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.#engine.stopContainer(id, timeoutSeconds);
    } catch (error) {
      if (!(error instanceof DockerEngineError && error.statusCode === 404)) throw error;
    }
  }

  async removeTaskVolumes(task: TaskAssignment): Promise<void> {
    const volumes = this.#context(task, { containerIds: new Map(), extraEnvironment: {} }).volumes ?? {};
    for (const [name, source] of Object.entries(volumes)) {
      const shared = task.volumes.find((v) => v.name === name)?.dockerVolumeConfiguration?.scope === 'shared';
      if ('volumeName' in source && !shared) await this.#engine.removeVolume(source.volumeName).catch(() => {});
    }
  }

  async removeContainer(id: string): Promise<void> {
    await this.#engine.removeContainer(id, { force: true, volumes: true });
  }

  async taskContainers(taskArn: string): Promise<RuntimeContainer[]> {
    const summaries = await this.#engine.listContainers({
      all: true,
      labels: { 'com.amazonaws.ecs.task-arn': taskArn, [OWNER_LABEL]: this.#owner },
    });
    const found: RuntimeContainer[] = [];
    for (const summary of summaries) {
      const container = await this.inspectContainer(summary.Id);
      if (container) found.push(container);
    }
    return found;
  }

  async ownedTasks(): Promise<string[]> {
    const summaries = await this.#engine.listContainers({ all: true, labels: { [OWNER_LABEL]: this.#owner } });
    return [...new Set(summaries.map((s) => s.Labels?.['com.amazonaws.ecs.task-arn']).filter((a) => a !== undefined))];
  }

  #context(task: TaskAssignment, context: StartContext): TaskRuntimeContext {
    const networkMode = (task.networkMode || 'bridge') as NetworkMode;
    const taskId = task.taskArn.split('/').at(-1)!;
    const volumes: Record<string, TaskVolumeSource> = {};
    for (const volume of task.volumes) {
      if (!volume.name) continue;
      volumes[volume.name] = volume.host?.sourcePath
        ? { hostPath: volume.host.sourcePath }
        : {
            volumeName:
              volume.dockerVolumeConfiguration?.scope === 'shared'
                ? volume.name
                : `ecs-${task.family}-${task.revision}-${volume.name}-${taskId.slice(0, 12)}`,
          };
    }
    return {
      clusterName: task.cluster,
      clusterArn: task.clusterArn,
      launchType: task.launchType as TaskRuntimeContext['launchType'],
      taskArn: task.taskArn,
      family: task.family,
      revision: task.revision,
      networkMode,
      ...(context.network ? { pauseContainerId: context.network.sandboxId, awsvpcNetworkName: AWSVPC_NETWORK } : {}),
      hostPortBindings: Object.entries(task.bindings).flatMap(([containerName, bindings]) =>
        bindings
          .filter((b) => !context.enginePicksDynamicPorts || isFixed(task, containerName, b))
          .map((b) => ({
            containerName,
            containerPort: b.containerPort!,
            protocol: b.protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
            hostPort: b.hostPort!,
          })),
      ),
      volumes,
      containerIdsByName: Object.fromEntries(context.containerIds),
      extraEnvironment: Object.fromEntries(task.containers.map((c) => [c.name!, context.extraEnvironment])),
      ...(task.launchType === 'FARGATE' ? { taskCpu: task.cpu, taskMemory: task.memory } : {}),
      containerCount: task.containers.length,
    };
  }

  async #createVolumes(task: TaskAssignment, volumes: Readonly<Record<string, TaskVolumeSource>>): Promise<void> {
    for (const [name, source] of Object.entries(volumes)) {
      if (!('volumeName' in source)) continue;
      const config = task.volumes.find((v) => v.name === name)?.dockerVolumeConfiguration;
      // A shared volume outlives the task: it carries no task's label.
      const taskLabel: Record<string, string> =
        config?.scope === 'shared' ? {} : { 'com.amazonaws.ecs.task-arn': task.taskArn };
      await this.#engine.createVolume(source.volumeName, {
        labels: { [OWNER_LABEL]: this.#owner, ...taskLabel, ...config?.labels },
        ...(config?.driver ? { driver: config.driver } : {}),
        ...(config?.driverOpts ? { driverOpts: config.driverOpts } : {}),
      });
    }
  }

  #name(context: TaskRuntimeContext, containerName: string): string {
    return dockerContainerName(context, containerName, randomBytes(6).toString('hex'));
  }
}

function withDigest(digest: string | undefined): PulledImage {
  return digest === undefined ? {} : { digest };
}

/** Whether a binding comes from a fixed hostPort in the definition (not a dynamic hostPort 0). */
function isFixed(
  task: TaskAssignment,
  containerName: string,
  binding: { containerPort?: number; protocol?: string },
): boolean {
  const container = task.containers.find((c) => c.name === containerName);
  const mapping = container?.portMappings?.find(
    (m) => m.containerPort === binding.containerPort && (m.protocol ?? 'tcp') === (binding.protocol ?? 'tcp'),
  );
  return (mapping?.hostPort ?? 0) !== 0;
}

function toRuntimeContainer(inspected: ContainerInspect): RuntimeContainer {
  const state = inspected.State;
  const started = isSet(state.StartedAt);
  const health = state.Health?.Status;
  const lastCheck = state.Health?.Log?.at(-1);
  return {
    id: inspected.Id,
    name: inspected.Config.Labels?.['com.amazonaws.ecs.container-name'] ?? inspected.Name.replace(/^\//, ''),
    running: state.Running,
    started,
    ...(!state.Running && started ? { exitCode: state.ExitCode } : {}),
    ...(health === 'healthy' || health === 'unhealthy' || health === 'starting' ? { health } : {}),
    oomKilled: state.OOMKilled,
    runtimeName: inspected.Name.replace(/^\//, ''),
    imageId: inspected.Image,
    createdAt: inspected.Created,
    ...(started ? { startedAt: state.StartedAt } : {}),
    ...(isSet(state.FinishedAt) && !state.Running ? { finishedAt: state.FinishedAt } : {}),
    publishedPorts: publishedPortsOf(inspected),
    ipv4Addresses: Object.values(inspected.NetworkSettings.Networks ?? {})
      .map((n) => n.IPAddress)
      .filter(Boolean),
    ...(lastCheck
      ? { lastHealthCheck: { at: lastCheck.End, exitCode: lastCheck.ExitCode, output: lastCheck.Output } }
      : {}),
    ...(inspected.Config.MacAddress ? { macAddress: inspected.Config.MacAddress } : {}),
  };
}

/** The host ports a container is published on, one per container port (IPv4 preferred). */
function publishedPortsOf(inspected: ContainerInspect): PublishedPort[] {
  const published: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(inspected.NetworkSettings.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    const binding = bindings?.find((b) => !b.HostIp.includes(':')) ?? bindings?.[0];
    if (!binding) continue;
    published.push({
      containerPort: Number(port),
      hostPort: Number(binding.HostPort),
      protocol: protocol === 'udp' ? 'udp' : 'tcp',
      bindIP: binding.HostIp || '0.0.0.0',
    });
  }
  return published;
}

/** Docker's zero time means "never". */
function isSet(time: string): boolean {
  return time !== NEVER_STARTED && time !== '';
}

/**
 * The first IPv4 subnet of a network and the host's address on it (Docker's gateway). Some engines
 * (Debian's docker.io 20.10) leave the gateway out of the default bridge's IPAM config; the host
 * then has the subnet's first address, the one Docker gives a bridge's gateway.
 */
export function hostNetworkOf(network: NetworkInspect): HostNetwork | undefined {
  const config = network.IPAM.Config?.find((c) => c.Subnet && !c.Subnet.includes(':'));
  if (!config) return undefined;
  const gateway = config.Gateway ? config.Gateway.replace(/\/\d+$/, '') : firstAddress(config.Subnet!);
  return gateway === undefined ? undefined : { gateway, subnet: config.Subnet! };
}

/** 172.17.0.0/16 → 172.17.0.1; undefined for a subnet too small to have one. */
function firstAddress(subnet: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet);
  const bits = Number(match?.[5]);
  if (!match || bits > 30) return undefined;
  const address = match.slice(1, 5).reduce((n, octet) => n * 256 + Number(octet), 0);
  const network = address - (address % 2 ** (32 - bits));
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
}
