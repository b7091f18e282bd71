import type { Volume } from '../../../ecs/shapes.generated.ts';
import type { DockerCreateBody } from './container-config.ts';

// Fargate's isolation on the server's own engine: managed capacity runs strangers' FARGATE tasks
// beside the server, so every container it creates is checked and limited here, whatever the task
// definition says. RegisterTaskDefinition and RunTask already refuse what Fargate refuses
// (ecs/fargate-rules.ts); this is the second line, on the Docker body itself. Pure.

/** What a confined runtime applies to each container; managed capacity's runtime has one. */
export interface Confinement {
  /** The most processes and threads one container may have (HostConfig.PidsLimit): no fork bomb starves the host. */
  readonly pidsLimit: number;
}

/**
 * 4096 tasks and threads per container: a busy JVM or a pool of worker processes fits in it many
 * times over, while a fork bomb stops well short of the host's pid_max (4194304 on 64-bit Linux,
 * 32768 by default on older kernels) for the server and its other tasks.
 */
export const DEFAULT_PIDS_LIMIT = 4096;

/** The one capability Fargate lets a container add. */
const ADDABLE_CAPABILITIES: ReadonlySet<string> = new Set(['SYS_PTRACE', 'CAP_SYS_PTRACE']);
const MIB = 1024 * 1024;
const CPU_UNITS = 1024;
const SECOND_NS = 1_000_000_000;

/** The first thing in a task's volumes a confined runtime will not create: host paths and volume drivers. */
export function confinedVolumeProblem(volumes: readonly Volume[]): string | undefined {
  for (const volume of volumes) {
    if (volume.host?.sourcePath !== undefined) return refusal(`the host path volume '${volume.name}'`);
    if (volume.dockerVolumeConfiguration !== undefined) return refusal(`the Docker volume '${volume.name}'`);
  }
  return undefined;
}

/**
 * Checks a container's body and returns it with the task's limits: NanoCpus from the task's CPU
 * units, Memory (no swap) from its MiB, and the pids limit. Throws an Error naming what it refuses:
 * privilege, added capabilities but SYS_PTRACE, a network other than the task's own namespace,
 * the host's PID or IPC namespace, devices, host paths and security options.
 */
export function confine(
  body: DockerCreateBody,
  task: { readonly cpu: number; readonly memory: number },
  confinement: Confinement,
): DockerCreateBody {
  const problem = hostConfigProblem(body.HostConfig);
  if (problem !== undefined) throw new Error(problem);
  if (!(task.cpu > 0 && task.memory > 0)) throw new Error(refusal('a task without task-level cpu and memory'));
  const taskMemory = task.memory * MIB;
  const memory = Math.min(body.HostConfig.Memory ?? taskMemory, taskMemory);
  return {
    ...body,
    HostConfig: {
      ...body.HostConfig,
      NanoCpus: Math.round((task.cpu * SECOND_NS) / CPU_UNITS),
      Memory: memory,
      // Fargate has no swap: the limit is the memory itself.
      MemorySwap: memory,
      PidsLimit: confinement.pidsLimit,
    },
  };
}

function hostConfigProblem(host: DockerCreateBody['HostConfig']): string | undefined {
  if (host.Privileged === true) return refusal('a privileged container');
  const added = host.CapAdd?.find((capability) => !ADDABLE_CAPABILITIES.has(capability.toUpperCase()));
  if (added !== undefined) return refusal(`the capability ${added}`);
  // awsvpc, the only network mode of a FARGATE task: the namespace of the task's pause container.
  if (!host.NetworkMode.startsWith('container:')) return refusal(`the network mode ${host.NetworkMode}`);
  if (host.PidMode !== undefined && host.PidMode !== '') return refusal(`the PID namespace ${host.PidMode}`);
  if (host.IpcMode !== undefined && !['', 'private', 'none'].includes(host.IpcMode)) {
    return refusal(`the IPC namespace ${host.IpcMode}`);
  }
  if ((host.Devices ?? []).length > 0) return refusal('a device');
  const hostPath = host.Binds?.find((bind) => bind.startsWith('/'));
  if (hostPath !== undefined) return refusal(`the host path ${hostPath.split(':')[0]}`);
  if ((host.SecurityOpt ?? []).length > 0) return refusal(`the security options ${host.SecurityOpt!.join(', ')}`);
  return undefined;
}

function refusal(what: string): string {
  return `Fargate isolation: managed capacity does not create ${what}`;
}
