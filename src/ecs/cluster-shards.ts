/**
 * Which clusters a scheduler pass reconciles, and how: with several servers, each runs the clusters
 * whose lease it holds, under that lease's fence (cmd/server-leases.ts).
 */
export type ClusterShards = (
  clusters: readonly string[],
  reconcile: (cluster: string) => Promise<void>,
) => Promise<void>;

/** One server alone: every cluster, in turn. */
export const everyCluster: ClusterShards = async (clusters, reconcile) => {
  for (const cluster of clusters) await reconcile(cluster);
};

/** Records by their cluster, in the order read. */
export function groupByCluster<T extends { readonly cluster: string }>(records: readonly T[]): Map<string, T[]> {
  const byCluster = new Map<string, T[]>();
  for (const record of records) {
    const list = byCluster.get(record.cluster) ?? [];
    byCluster.set(record.cluster, list);
    list.push(record);
  }
  return byCluster;
}
