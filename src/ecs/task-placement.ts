import { randomInt } from 'node:crypto';
import { DEFAULT_ECS_QUOTAS, type EcsQuotas } from '../shared/ecs-quotas.ts';
import {
  memberOf,
  placeTasks,
  QueryParseError,
  seededRandom,
  type InstanceSnapshot,
  type PlacementConstraint,
  type PlacementStrategy,
  type TaskNeeds,
} from '../scheduler/index.ts';
import type { ClusterRecord, MetadataStore, TaskPlacement } from '../store/index.ts';
import type { AgentChannel } from './agent-channel.ts';
import { InvalidParameterException } from './errors.ts';
import { bindingsOf, instanceSnapshot, type HostPortRequest } from './task-needs.ts';
import type {
  Failure,
  NetworkBinding,
  PlacementConstraint as ApiConstraint,
  PlacementStrategy as ApiStrategy,
  RunTaskRequest,
  TaskDefinition,
} from './shapes.generated.ts';

export interface PlacedCopy {
  readonly containerInstance: { readonly id: string; readonly arn: string };
  readonly bindings: readonly NetworkBinding[];
  /** The instance's ecs.availability-zone, the task's availabilityZone. */
  readonly availabilityZone?: string | undefined;
}

/** RunTask's and StartTask's refusal when the cluster has no container instance (ECS's words). */
export const NO_INSTANCES = 'No Container Instances were found in your cluster.';
/** The constraints of a placement: the task definition's and the call's, parsed (memberOf) once. */
export function placementConstraints(
  fromDefinition: readonly { type?: string; expression?: string }[],
  fromCall: readonly ApiConstraint[],
  max = DEFAULT_ECS_QUOTAS.placementConstraints,
): PlacementConstraint[] {
  const all = [...fromDefinition, ...fromCall];
  if (all.length > max) {
    throw new InvalidParameterException(
      `The maximum number of placement constraints is ${max}, and ${all.length} were given.`,
    );
  }
  return all.map((constraint) => {
    if (constraint.type === 'distinctInstance') {
      if (constraint.expression)
        throw new InvalidParameterException('distinctInstance placement constraints do not take an expression.');
      return { type: 'distinctInstance' as const };
    }
    if (constraint.type !== 'memberOf' || !constraint.expression) {
      throw new InvalidParameterException('A memberOf placement constraint needs an expression.');
    }
    try {
      return memberOf(constraint.expression);
    } catch (error) {
      if (error instanceof QueryParseError)
        throw new InvalidParameterException(`Invalid placement constraint expression: ${error.message}`);
      throw error;
    }
  });
}

export function placementStrategies(
  strategies: readonly ApiStrategy[] | undefined,
  max = DEFAULT_ECS_QUOTAS.placementStrategies,
): PlacementStrategy[] {
  if (!strategies) return [{ type: 'random' }];
  if (strategies.length > max) {
    throw new InvalidParameterException(
      `The maximum number of placement strategies is ${max}, and ${strategies.length} were given.`,
    );
  }
  return strategies.map((strategy) => {
    switch (strategy.type) {
      case 'random':
        return { type: 'random' as const };
      case 'binpack': {
        const field = strategy.field?.toLowerCase();
        if (field !== 'cpu' && field !== 'memory')
          throw new InvalidParameterException('binpack placement strategies take the field cpu or memory.');
        return { type: 'binpack' as const, field };
      }
      case 'spread': {
        const field = strategy.field ?? '';
        if (field !== 'instanceId' && field !== 'host' && !/^attribute:.+/.test(field))
          throw new InvalidParameterException(
            'spread placement strategies take the field instanceId, host or attribute:NAME.',
          );
        return { type: 'spread' as const, field };
      }
      default:
        throw new InvalidParameterException(`Unknown placement strategy type '${String(strategy.type)}'.`);
    }
  });
}

/** Snapshots of a cluster's registered instances with their unstopped tasks, for the scheduler. */
export async function clusterSnapshot(
  deps: { store: MetadataStore; agents: AgentChannel },
  cluster: string,
): Promise<{ snapshots: InstanceSnapshot[] }> {
  const instances = await deps.store.containerInstances.list(cluster, { limit: 100_000 });
  const byInstance = new Map<string, TaskPlacement[]>();
  for (const task of await deps.store.tasks.placed(cluster)) {
    const list = byInstance.get(task.containerInstance) ?? [];
    list.push(task);
    byInstance.set(task.containerInstance, list);
  }
  const snapshots = instances.map((record) =>
    instanceSnapshot(record, byInstance.get(record.id) ?? [], deps.agents.isConnected(record.id)),
  );
  return { snapshots };
}

/**
 * Places copies of a task on the cluster's instances (EC2 launch type): everything the scheduler
 * needs comes from one snapshot; tasks that fit nowhere come back as failures, not as an error.
 * With `onInstances` (StartTask), one copy goes on each named instance, if it fits there.
 */
export async function placeTaskCopies(
  deps: { store: MetadataStore; agents: AgentChannel; quotas?: EcsQuotas | undefined },
  options: {
    cluster: ClusterRecord;
    input: RunTaskRequest;
    definition: TaskDefinition;
    needs: TaskNeeds & { ports: HostPortRequest[] };
    count: number;
    onInstances?: readonly string[];
  },
): Promise<{ copies: PlacedCopy[]; failures: Failure[] }> {
  const { needs } = options;
  const quotas = deps.quotas ?? DEFAULT_ECS_QUOTAS;
  const constraints = placementConstraints(
    options.definition.placementConstraints ?? [],
    options.input.placementConstraints ?? [],
    quotas.placementConstraints,
  );
  const strategies = placementStrategies(options.input.placementStrategy, quotas.placementStrategies);
  const { snapshots } = await clusterSnapshot(deps, options.cluster.name);
  const random = seededRandom(randomInt(2 ** 31));
  const toCopy = (placement: { instanceArn: string; tcpPorts: readonly number[]; udpPorts: readonly number[] }) => {
    const snapshot = snapshots.find((s) => s.arn === placement.instanceArn)!;
    return {
      containerInstance: { id: snapshot.id, arn: snapshot.arn },
      bindings: bindingsOf(needs.ports, placement),
      availabilityZone: snapshot.attributes.get('ecs.availability-zone'),
    };
  };
  if (options.onInstances) {
    const copies: PlacedCopy[] = [];
    const failures: Failure[] = [];
    for (const reference of options.onInstances) {
      const id = reference.split('/').at(-1)!;
      const snapshot = snapshots.find((s) => s.id === id);
      if (!snapshot) {
        failures.push({ arn: reference, reason: 'MISSING' });
        continue;
      }
      const result = placeTasks({ needs, count: 1, instances: [snapshot], constraints, strategies, random });
      copies.push(...result.placements.map(toCopy));
      failures.push(...result.failures.map((f) => ({ arn: f.arn, reason: f.reason })));
    }
    return { copies, failures };
  }
  if (snapshots.length === 0) throw new InvalidParameterException(NO_INSTANCES);
  const result = placeTasks({ needs, count: options.count, instances: snapshots, constraints, strategies, random });
  return {
    copies: result.placements.map(toCopy),
    failures: result.failures.map((f) => ({ ...(f.arn !== undefined ? { arn: f.arn } : {}), reason: f.reason })),
  };
}
