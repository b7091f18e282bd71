import { formatArn, parseArn } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ClusterRecord, MetadataStore } from '../store/index.ts';
import { InvalidParameterException } from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import type {
  Cluster,
  ClusterField,
  CreateClusterRequest,
  CreateClusterResponse,
  DescribeClustersRequest,
  DescribeClustersResponse,
  Failure,
  ListClustersRequest,
  ListClustersResponse,
} from './shapes.generated.ts';

export interface ClusterDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
}

/** A call that names no cluster uses the one called "default", as on AWS. */
export const DEFAULT_CLUSTER = 'default';

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function clusterArn(context: RequestContext, name: string): string {
  return formatArn('ecs', context, `cluster/${name}`);
}

/** Accepts a cluster name or its ARN, as every ECS call does. */
export function clusterNameOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  const resource = parseArn(reference)?.resource ?? '';
  return resource.startsWith('cluster/') ? resource.slice('cluster/'.length) : reference;
}

export async function createCluster(
  deps: ClusterDeps,
  input: CreateClusterRequest,
  context: RequestContext,
): Promise<CreateClusterResponse> {
  const name = input.clusterName ?? DEFAULT_CLUSTER;
  if (!CLUSTER_NAME.test(name)) {
    throw new InvalidParameterException(
      'Cluster name is invalid. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.',
    );
  }
  const record: ClusterRecord = {
    name,
    arn: clusterArn(context, name),
    status: 'ACTIVE',
    createdAt: deps.clock.now(),
    details: {
      settings: input.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
      tags: input.tags ?? [],
      capacityProviders: input.capacityProviders ?? [],
      defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
      ...(input.configuration ? { configuration: input.configuration } : {}),
      ...(input.serviceConnectDefaults ? { serviceConnectDefaults: input.serviceConnectDefaults } : {}),
    },
  };
  // CreateCluster is idempotent on the name: a second call returns the cluster that exists.
  const { record: stored } = await deps.store.clusters.insertIfAbsent(record);
  return { cluster: toCluster(stored, ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS']) };
}

export async function listClusters(deps: ClusterDeps, input: ListClustersRequest): Promise<ListClustersResponse> {
  const limit = pageSize(input.maxResults);
  const after = decodeNextToken(input.nextToken);
  // One extra row tells whether another page exists.
  const rows = await deps.store.clusters.list({ after, limit: limit + 1 }, { status: 'ACTIVE' });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    clusterArns: page.map((c) => c.arn),
    ...(rows.length > limit && last ? { nextToken: encodeNextToken(last.name) } : {}),
  };
}

export async function describeClusters(
  deps: ClusterDeps,
  input: DescribeClustersRequest,
  context: RequestContext,
): Promise<DescribeClustersResponse> {
  const references = input.clusters ?? [DEFAULT_CLUSTER];
  if (references.length > 100) throw new InvalidParameterException('clusters can have at most 100 items.');
  const names = references.map(clusterNameOf);
  const found = new Map((await deps.store.clusters.getByNames(names)).map((c) => [c.name, c]));
  const clusters: Cluster[] = [];
  const failures: Failure[] = [];
  for (const name of names) {
    const record = found.get(name);
    if (record) clusters.push(toCluster(record, input.include ?? []));
    else failures.push({ arn: clusterArn(context, name), reason: 'MISSING' });
  }
  return { clusters, failures };
}

function toCluster(record: ClusterRecord, include: readonly ClusterField[]): Cluster {
  const details = record.details as Partial<Cluster>;
  return {
    clusterArn: record.arn,
    clusterName: record.name,
    status: record.status,
    // No container instances, tasks or services exist yet, so the true counts are zero.
    // TODO(#5): count from the store once instances, tasks and services are stored.
    registeredContainerInstancesCount: 0,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    activeServicesCount: 0,
    statistics: [],
    capacityProviders: details.capacityProviders ?? [],
    defaultCapacityProviderStrategy: details.defaultCapacityProviderStrategy ?? [],
    ...(include.includes('TAGS') ? { tags: details.tags ?? [] } : {}),
    ...(include.includes('SETTINGS') ? { settings: details.settings ?? [] } : {}),
    ...(include.includes('CONFIGURATIONS') && details.configuration ? { configuration: details.configuration } : {}),
    ...(include.includes('ATTACHMENTS') ? { attachments: [] } : {}),
    ...(details.serviceConnectDefaults ? { serviceConnectDefaults: details.serviceConnectDefaults } : {}),
  };
}
