import { createCluster, describeClusters, listClusters, type ClusterDeps } from './clusters.ts';
import type { EcsApi } from './shapes.generated.ts';

export type EcsDeps = ClusterDeps;

/** The ECS operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function ecsOperations(deps: EcsDeps): Partial<EcsApi> {
  return {
    CreateCluster: (input, context) => createCluster(deps, input, context),
    DescribeClusters: (input, context) => describeClusters(deps, input, context),
    ListClusters: (input) => listClusters(deps, input),
  };
}
