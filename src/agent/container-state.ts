import type { ContainerReport, NetworkBinding } from '../ecs/index.ts';

/** What a task worker knows of one of its containers. */
export interface ContainerState {
  id?: string;
  status: 'PENDING' | 'RUNNING' | 'STOPPED';
  started: boolean;
  exitCode?: number;
  reason?: string;
  health?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';
  /** The manifest digest of the image it runs, when the image came from a registry. */
  imageDigest?: string | undefined;
  /** The host ports actually published (bridge), when known. */
  bindings?: NetworkBinding[];
}

/** The container as the worker reports it; `placed` are the host ports its placement gave it. */
export function containerReport(
  name: string,
  state: ContainerState,
  placed: readonly NetworkBinding[] = [],
): ContainerReport {
  return {
    name,
    lastStatus: state.status,
    ...(state.id ? { runtimeId: state.id } : {}),
    ...(state.imageDigest ? { imageDigest: state.imageDigest } : {}),
    ...(state.exitCode !== undefined ? { exitCode: state.exitCode } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    ...(state.health ? { healthStatus: state.health } : {}),
    networkBindings: state.status === 'RUNNING' ? (state.bindings ?? [...placed]) : [],
  };
}
