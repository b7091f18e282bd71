import {
  DEFAULT_PIDS_LIMIT,
  DockerEngine,
  DockerRuntime,
  dockerEndpoint,
  UnavailableRuntime,
  type ContainerRuntime,
} from '../agent/index.ts';
import type { Logger } from '../shared/logger.ts';

export interface ManagedRuntimeOptions {
  readonly mode: 'docker' | 'off';
  readonly logger: Logger;
  /** The host[:port] names the server's own registry answers to. */
  readonly registryHosts: () => readonly string[];
  /** A registry password for the root (an ECR authorization token). */
  readonly registryPassword: () => string;
  /** The most processes and threads one managed container may have (DEFAULT_PIDS_LIMIT: 4096). */
  readonly pidsLimit?: number;
  /** The DNS servers of awsvpc tasks (Berth's, for Cloud Map names), once known. */
  readonly awsvpcDns?: () => readonly string[] | undefined;
}

/**
 * The runtime of managed capacity: the local Docker engine when it answers, else one that stops
 * each FARGATE task with the reason (the server itself still starts and serves every API). Its
 * containers are confined as Fargate isolates tasks: never privileged, no capability but
 * SYS_PTRACE, no host network, PID or IPC namespace, devices or host paths, and the task's CPU,
 * memory and a pids limit on each.
 */
export function managedRuntimeFactory(options: ManagedRuntimeOptions): (owner: string) => Promise<ContainerRuntime> {
  return async (owner) => {
    if (options.mode === 'off') {
      return new UnavailableRuntime('managed capacity is off on this server (BERTH_MANAGED_CAPACITY=off)');
    }
    const engine = new DockerEngine();
    try {
      await engine.ping();
    } catch (error) {
      const where = JSON.stringify(dockerEndpoint());
      options.logger.warn({ err: String(error) }, 'no Docker engine reachable: FARGATE tasks will fail to start');
      return new UnavailableRuntime(
        `no Docker engine reachable for managed (FARGATE) capacity at ${where}: ${(error as Error).message}`,
      );
    }
    return new DockerRuntime({
      engine,
      owner,
      confinement: { pidsLimit: options.pidsLimit ?? DEFAULT_PIDS_LIMIT },
      ...(options.awsvpcDns ? { awsvpcDns: options.awsvpcDns } : {}),
      registryAuth: async (image) => {
        const host = image.split('/')[0]!;
        if (!options.registryHosts().includes(host)) return undefined;
        return { username: 'AWS', password: options.registryPassword(), serveraddress: host };
      },
    });
  };
}
