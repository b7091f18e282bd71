import { formatArn, parseArn } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { ClusterRecord, MetadataStore } from '../store/index.ts';
import {
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  InvalidParameterException,
} from './errors.ts';
import { pendingAndRunning } from './task-lifecycle.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import type {
  Cluster,
  ClusterField,
  ClusterSetting,
  CreateClusterRequest,
  CreateClusterResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  PutClusterCapacityProvidersRequest,
  PutClusterCapacityProvidersResponse,
  UpdateClusterRequest,
  UpdateClusterResponse,
  UpdateClusterSettingsRequest,
  UpdateClusterSettingsResponse,
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
  // A deleted (INACTIVE) cluster's name may be used again, for a new cluster.
  let { record: stored } = await deps.store.clusters.insertIfAbsent(record);
  if (stored.status === 'INACTIVE') {
    await deps.store.clusters.update(record);
    stored = record;
  }
  return {
    cluster: toCluster(
      stored,
      ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'],
      await countsOf(deps, stored),
    ),
  };
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
    if (record) clusters.push(toCluster(record, input.include ?? [], await countsOf(deps, record)));
    else failures.push({ arn: clusterArn(context, name), reason: 'MISSING' });
  }
  return { clusters, failures };
}

interface ClusterCounts {
  readonly registeredContainerInstancesCount: number;
  readonly runningTasksCount: number;
  readonly pendingTasksCount: number;
  readonly activeServicesCount: number;
}

const NO_COUNTS: ClusterCounts = {
  registeredContainerInstancesCount: 0,
  runningTasksCount: 0,
  pendingTasksCount: 0,
  activeServicesCount: 0,
};

/** Counts from the data, never stored copies. */
async function countsOf(deps: ClusterDeps, record: ClusterRecord): Promise<ClusterCounts> {
  if (record.status !== 'ACTIVE') return NO_COUNTS;
  const tasks = pendingAndRunning(await deps.store.tasks.countByStatus({ cluster: record.name }));
  return {
    registeredContainerInstancesCount: await deps.store.containerInstances.countRegistered(record.name),
    runningTasksCount: tasks.running,
    pendingTasksCount: tasks.pending,
    activeServicesCount: await deps.store.services.countActive(record.name),
  };
}

function toCluster(record: ClusterRecord, include: readonly ClusterField[], counts: ClusterCounts): Cluster {
  const details = record.details as Partial<Cluster>;
  return {
    clusterArn: record.arn,
    clusterName: record.name,
    status: record.status,
    registeredContainerInstancesCount: counts.registeredContainerInstancesCount,
    runningTasksCount: counts.runningTasksCount,
    pendingTasksCount: counts.pendingTasksCount,
    activeServicesCount: counts.activeServicesCount,
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

/** The ACTIVE cluster a call names (or "default"), else ClusterNotFoundException. */
export async function requireCluster(deps: ClusterDeps, reference: string | undefined): Promise<ClusterRecord> {
  const [record] = await deps.store.clusters.getByNames([clusterNameOf(reference ?? DEFAULT_CLUSTER)]);
  if (!record || record.status !== 'ACTIVE') throw new ClusterNotFoundException();
  return record;
}

const ALL_FIELDS: ClusterField[] = ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'];

async function updateDetails(
  deps: ClusterDeps,
  record: ClusterRecord,
  changes: Record<string, unknown>,
): Promise<Cluster> {
  const updated: ClusterRecord = { ...record, details: { ...record.details, ...changes } };
  await deps.store.clusters.update(updated);
  return toCluster(updated, ALL_FIELDS, await countsOf(deps, updated));
}

function mergeSettings(current: unknown, changes: readonly ClusterSetting[]): ClusterSetting[] {
  const merged = new Map(((current ?? []) as ClusterSetting[]).map((s) => [s.name, s]));
  for (const setting of changes) merged.set(setting.name, setting);
  return [...merged.values()];
}

export async function updateCluster(deps: ClusterDeps, input: UpdateClusterRequest): Promise<UpdateClusterResponse> {
  const record = await requireCluster(deps, input.cluster);
  return {
    cluster: await updateDetails(deps, record, {
      ...(input.settings ? { settings: mergeSettings(record.details.settings, input.settings) } : {}),
      ...(input.configuration ? { configuration: input.configuration } : {}),
      ...(input.serviceConnectDefaults ? { serviceConnectDefaults: input.serviceConnectDefaults } : {}),
    }),
  };
}

export async function updateClusterSettings(
  deps: ClusterDeps,
  input: UpdateClusterSettingsRequest,
): Promise<UpdateClusterSettingsResponse> {
  const record = await requireCluster(deps, input.cluster);
  return {
    cluster: await updateDetails(deps, record, { settings: mergeSettings(record.details.settings, input.settings) }),
  };
}

/** Fargate's built-in capacity providers; others come from CreateCapacityProvider. */
const BUILT_IN_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

export async function putClusterCapacityProviders(
  deps: ClusterDeps,
  input: PutClusterCapacityProvidersRequest,
): Promise<PutClusterCapacityProvidersResponse> {
  const record = await requireCluster(deps, input.cluster);
  const own = new Set(
    (await deps.store.capacityProviders.get(input.capacityProviders))
      .filter((p) => p.status === 'ACTIVE')
      .map((p) => p.name),
  );
  for (const name of input.capacityProviders) {
    if (!BUILT_IN_PROVIDERS.has(name) && !own.has(name)) {
      throw new InvalidParameterException(
        `The specified capacity provider '${name}' does not exist. Specify a valid name or ARN and try again.`,
      );
    }
  }
  for (const item of input.defaultCapacityProviderStrategy) {
    if (!input.capacityProviders.includes(item.capacityProvider)) {
      throw new InvalidParameterException(
        `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster: '${item.capacityProvider}'.`,
      );
    }
  }
  return {
    cluster: await updateDetails(deps, record, {
      capacityProviders: input.capacityProviders,
      defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy,
    }),
  };
}

/**
 * Deletes a cluster: it becomes INACTIVE (still describable, no longer listed). AWS refuses while
 * container instances, services or tasks remain, in that order.
 */
export async function deleteCluster(deps: ClusterDeps, input: DeleteClusterRequest): Promise<DeleteClusterResponse> {
  const record = await requireCluster(deps, input.cluster);
  if ((await deps.store.containerInstances.countRegistered(record.name)) > 0)
    throw new ClusterContainsContainerInstancesException();
  if ((await deps.store.services.countActive(record.name)) > 0) throw new ClusterContainsServicesException();
  if ((await deps.store.tasks.countByStatus({ cluster: record.name })).size > 0)
    throw new ClusterContainsTasksException();
  const updated: ClusterRecord = { ...record, status: 'INACTIVE' };
  await deps.store.clusters.update(updated);
  return { cluster: toCluster(updated, ALL_FIELDS, NO_COUNTS) };
}
