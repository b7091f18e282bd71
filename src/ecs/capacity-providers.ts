import { formatArn, parseArn } from '../shared/arn.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { CapacityProviderRecord, MetadataStore } from '../store/index.ts';
import { ClientException, InvalidParameterException } from './errors.ts';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.ts';
import type {
  AutoScalingGroupProvider,
  CapacityProvider,
  CreateCapacityProviderRequest,
  CreateCapacityProviderResponse,
  DeleteCapacityProviderRequest,
  DeleteCapacityProviderResponse,
  DescribeCapacityProvidersRequest,
  DescribeCapacityProvidersResponse,
  Failure,
  UpdateCapacityProviderRequest,
  UpdateCapacityProviderResponse,
} from './shapes.generated.ts';

/** Fargate's capacity providers: every account has them, and they cannot be created or deleted. */
export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const RESERVED_PREFIX = /^(aws|ecs|fargate)/i;

export function capacityProviderArn(context: RequestContext, name: string): string {
  return formatArn('ecs', context, `capacity-provider/${name}`);
}

/** A capacity provider given by name or ARN. */
export function capacityProviderNameOf(reference: string): string {
  if (!reference.startsWith('arn:')) return reference;
  return (parseArn(reference)?.resource ?? '').replace(/^capacity-provider\//, '');
}

function builtIn(context: RequestContext, name: string): CapacityProvider {
  return {
    capacityProviderArn: capacityProviderArn(context, name),
    name,
    status: 'ACTIVE',
    tags: [],
    type: name === 'FARGATE' ? 'FARGATE' : 'FARGATE_SPOT',
  };
}

/** The auto scaling group provider with ECS's defaults filled in. */
function withDefaults(provider: AutoScalingGroupProvider): AutoScalingGroupProvider {
  const scaling = provider.managedScaling;
  return {
    autoScalingGroupArn: provider.autoScalingGroupArn,
    managedScaling: {
      status: scaling?.status ?? 'DISABLED',
      targetCapacity: scaling?.targetCapacity ?? 100,
      minimumScalingStepSize: scaling?.minimumScalingStepSize ?? 1,
      maximumScalingStepSize: scaling?.maximumScalingStepSize ?? 10_000,
      instanceWarmupPeriod: scaling?.instanceWarmupPeriod ?? 300,
    },
    managedTerminationProtection: provider.managedTerminationProtection ?? 'DISABLED',
    managedDraining: provider.managedDraining ?? 'ENABLED',
  };
}

function toCapacityProvider(record: CapacityProviderRecord, withTags: boolean): CapacityProvider {
  const body = record.body as CapacityProvider;
  return {
    ...body,
    capacityProviderArn: record.arn,
    name: record.name,
    status: record.status as CapacityProvider['status'],
    ...(withTags ? { tags: body.tags ?? [] } : { tags: undefined }),
  };
}

function checkScaling(provider: AutoScalingGroupProvider | undefined): void {
  const target = provider?.managedScaling?.targetCapacity;
  if (target !== undefined && (target < 1 || target > 100))
    throw new InvalidParameterException('targetCapacity must be between 1 and 100.');
  const step = provider?.managedScaling;
  if ((step?.minimumScalingStepSize ?? 1) > (step?.maximumScalingStepSize ?? 10_000))
    throw new InvalidParameterException('minimumScalingStepSize cannot be larger than maximumScalingStepSize.');
}

export async function createCapacityProvider(
  store: MetadataStore,
  input: CreateCapacityProviderRequest,
  context: RequestContext,
): Promise<CreateCapacityProviderResponse> {
  if (!NAME.test(input.name))
    throw new ClientException(
      'The capacity provider name can have up to 255 letters, numbers, underscores and hyphens.',
    );
  if (RESERVED_PREFIX.test(input.name))
    throw new ClientException('The capacity provider name cannot be prefixed with "aws", "ecs", or "fargate".');
  if (!input.autoScalingGroupProvider)
    throw new InvalidParameterException('An autoScalingGroupProvider is required to create a capacity provider.');
  // "The Amazon Resource Name (ARN) that identifies the Auto Scaling group, or the Auto Scaling
  // group name": both are kept as given (there is no Auto Scaling here to resolve a name).
  if (input.autoScalingGroupProvider.autoScalingGroupArn.trim() === '')
    throw new InvalidParameterException('autoScalingGroupArn must be an Auto Scaling group ARN or name.');
  checkScaling(input.autoScalingGroupProvider);
  const record: CapacityProviderRecord = {
    name: input.name,
    arn: capacityProviderArn(context, input.name),
    status: 'ACTIVE',
    body: {
      autoScalingGroupProvider: withDefaults(input.autoScalingGroupProvider),
      tags: input.tags ?? [],
      type: 'EC2_AUTOSCALING',
    },
  };
  if (!(await store.capacityProviders.insert(record))) {
    throw new ClientException(`A capacity provider named ${input.name} already exists.`);
  }
  return { capacityProvider: toCapacityProvider(record, true) };
}

export async function describeCapacityProviders(
  store: MetadataStore,
  input: DescribeCapacityProvidersRequest,
  context: RequestContext,
): Promise<DescribeCapacityProvidersResponse> {
  const withTags = input.include?.includes('TAGS') ?? false;
  if (input.capacityProviders && input.capacityProviders.length > 0) {
    const names = input.capacityProviders.map(capacityProviderNameOf);
    const found = new Map((await store.capacityProviders.get(names)).map((r) => [r.name, r]));
    const providers: CapacityProvider[] = [];
    const failures: Failure[] = [];
    for (const name of names) {
      const record = found.get(name);
      if ((FARGATE_PROVIDERS as readonly string[]).includes(name)) providers.push(builtIn(context, name));
      else if (record) providers.push(toCapacityProvider(record, withTags));
      else failures.push({ arn: capacityProviderArn(context, name), reason: 'MISSING' });
    }
    return { capacityProviders: providers, failures };
  }
  // Every provider: Fargate's first, then the account's, in name order, paginated.
  const limit = pageSize(input.maxResults, 10);
  const after = decodeNextToken(input.nextToken);
  const all = [
    ...FARGATE_PROVIDERS.map((name) => ({ key: `0:${name}`, provider: builtIn(context, name) })),
    ...(await store.capacityProviders.list({ limit: 10_000 })).map((r) => ({
      key: `1:${r.name}`,
      provider: toCapacityProvider(r, withTags),
    })),
  ].filter((entry) => after === undefined || entry.key > after);
  const page = all.slice(0, limit);
  return {
    capacityProviders: page.map((e) => e.provider),
    failures: [],
    ...(all.length > limit ? { nextToken: encodeNextToken(page.at(-1)!.key) } : {}),
  };
}

async function requireOwn(store: MetadataStore, reference: string): Promise<CapacityProviderRecord> {
  const name = capacityProviderNameOf(reference);
  if ((FARGATE_PROVIDERS as readonly string[]).includes(name))
    throw new InvalidParameterException(`The ${name} capacity provider is managed by ECS and cannot be changed.`);
  const [record] = await store.capacityProviders.get([name]);
  if (!record || record.status !== 'ACTIVE')
    throw new InvalidParameterException(`The specified capacity provider '${name}' does not exist.`);
  return record;
}

export async function updateCapacityProvider(
  store: MetadataStore,
  input: UpdateCapacityProviderRequest,
): Promise<UpdateCapacityProviderResponse> {
  const record = await requireOwn(store, input.name);
  const current = (record.body as CapacityProvider).autoScalingGroupProvider!;
  const changes = input.autoScalingGroupProvider ?? {};
  const next = withDefaults({
    autoScalingGroupArn: current.autoScalingGroupArn,
    managedScaling: { ...current.managedScaling, ...changes.managedScaling },
    managedTerminationProtection: changes.managedTerminationProtection ?? current.managedTerminationProtection,
    managedDraining: changes.managedDraining ?? current.managedDraining,
  });
  checkScaling(next);
  const updated = {
    ...record,
    body: { ...record.body, autoScalingGroupProvider: next, updateStatus: 'UPDATE_COMPLETE' },
  };
  await store.capacityProviders.update(updated);
  return { capacityProvider: toCapacityProvider(updated, true) };
}

export async function deleteCapacityProvider(
  store: MetadataStore,
  input: DeleteCapacityProviderRequest,
): Promise<DeleteCapacityProviderResponse> {
  const record = await requireOwn(store, input.capacityProvider);
  for (const cluster of await store.clusters.list({ limit: 100_000 }, { status: 'ACTIVE' })) {
    if (((cluster.details.capacityProviders ?? []) as string[]).includes(record.name)) {
      throw new ClientException(
        `The specified capacity provider is in use by the cluster ${cluster.name} and cannot be deleted. Remove it from the cluster first.`,
      );
    }
  }
  const updated = { ...record, status: 'INACTIVE', body: { ...record.body, updateStatus: 'DELETE_COMPLETE' } };
  await store.capacityProviders.update(updated);
  return { capacityProvider: toCapacityProvider(updated, true) };
}
