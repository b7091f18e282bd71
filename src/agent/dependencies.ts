import type { ContainerDefinition } from '../ecs/index.ts';

/** What dependency checks need to know of a container of the task. */
export interface DependencyState {
  readonly status: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly started: boolean;
  readonly exitCode?: number | undefined;
  readonly health?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | undefined;
}

/**
 * The containers in an order that starts every dependency before its dependents (registration
 * refused cycles), keeping the task definition's order otherwise.
 */
export function startOrder(containers: readonly ContainerDefinition[]): ContainerDefinition[] {
  const byName = new Map(containers.map((c) => [c.name, c]));
  const ordered: ContainerDefinition[] = [];
  const seen = new Set<string>();
  const visit = (container: ContainerDefinition): void => {
    if (seen.has(container.name!)) return;
    seen.add(container.name!);
    for (const dependency of container.dependsOn ?? []) {
      const target = byName.get(dependency.containerName);
      if (target) visit(target);
    }
    ordered.push(container);
  };
  for (const container of containers) visit(container);
  return ordered;
}

/**
 * Whether a container may start now: true, 'wait', or why it never will (ECS's conditions: START
 * once the dependency started, COMPLETE once it exited, SUCCESS once it exited with 0, HEALTHY once
 * its health check passes).
 */
export function dependencyVerdict(
  container: ContainerDefinition,
  stateOf: (name: string) => DependencyState | undefined,
): true | 'wait' | string {
  for (const { containerName, condition } of container.dependsOn ?? []) {
    const state = stateOf(containerName);
    if (!state) return `dependency ${containerName} is not a container of the task`;
    switch (condition) {
      case 'START':
        if (!state.started) return 'wait';
        break;
      case 'COMPLETE':
        if (state.status !== 'STOPPED') return 'wait';
        break;
      case 'SUCCESS':
        if (state.status !== 'STOPPED') return 'wait';
        if (state.exitCode !== 0)
          return `dependency ${containerName} of container ${container.name} exited with code ${String(state.exitCode)} (SUCCESS needed)`;
        break;
      case 'HEALTHY':
        if (state.health === 'HEALTHY') break;
        if (state.status === 'STOPPED' || state.health === 'UNHEALTHY')
          return `dependency ${containerName} of container ${container.name} did not become HEALTHY`;
        return 'wait';
    }
  }
  return true;
}
