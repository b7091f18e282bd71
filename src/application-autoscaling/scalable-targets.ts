import type { AutoScalingRecord } from '../store/index.ts';
import { scaleService } from './activities.ts';
import type { AutoScalingDeps } from './deps.ts';
import { ConcurrentUpdateException, ValidationException } from './errors.ts';
import { page } from './paging.ts';
import { asBody, bodyOf, type StoredPolicy, type StoredTarget } from './records.ts';
import { checkNamespace, DESIRED_COUNT, noTarget, targetRef, type TargetRef } from './scalable-target-key.ts';
import type {
  DeregisterScalableTargetRequest,
  DeregisterScalableTargetResponse,
  DescribeScalableTargetsRequest,
  DescribeScalableTargetsResponse,
  RegisterScalableTargetRequest,
  RegisterScalableTargetResponse,
  ScalableTarget,
} from './shapes.generated.ts';
import { checkTags } from './tags.ts';

const MAX_ATTEMPTS = 5;

/** The service-linked role Application Auto Scaling uses for ECS, as DescribeScalableTargets shows it. */
function ecsRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;
}

export async function requireTarget(
  deps: AutoScalingDeps,
  ref: TargetRef,
): Promise<{ record: AutoScalingRecord; target: StoredTarget }> {
  const record = await deps.store.applicationAutoScaling.get('target', ref.key);
  if (!record) throw noTarget(ref);
  return { record, target: bodyOf<StoredTarget>(record) };
}

/**
 * RegisterScalableTarget: creates the target (the service must exist; MinCapacity and MaxCapacity
 * required) or updates what is given; then the service's desired count is brought into [min, max],
 * recorded as a scaling activity, as Application Auto Scaling does.
 */
export async function registerScalableTarget(
  deps: AutoScalingDeps,
  input: RegisterScalableTargetRequest,
): Promise<RegisterScalableTargetResponse> {
  const ref = targetRef(input);
  checkTags(input.Tags);
  const desired = await deps.services.desiredCount(ref.cluster, ref.service);
  if (desired === undefined) throw new ValidationException(`ECS service doesn't exist: ${ref.resourceId}`);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await deps.store.applicationAutoScaling.get('target', ref.key);
    const existing = record ? bodyOf<StoredTarget>(record) : undefined;
    if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
      throw new ValidationException('MinCapacity and MaxCapacity are required for registering a new scalable target');
    }
    const target = updatedTarget(deps, ref, existing, input);
    const written = await deps.store.applicationAutoScaling.write(
      { kind: 'target', id: ref.key, target: ref.key, createdAt: target.createdAt, body: asBody(target) },
      { expectRevision: record?.revision },
    );
    if (!written) continue;
    await clampDesiredCount(deps, ref, target, desired, { min: input.MinCapacity, max: input.MaxCapacity });
    return { ScalableTargetARN: target.arn };
  }
  throw new ConcurrentUpdateException('The scalable target is being changed by another request.');
}

function updatedTarget(
  deps: AutoScalingDeps,
  ref: TargetRef,
  existing: StoredTarget | undefined,
  input: RegisterScalableTargetRequest,
): StoredTarget {
  const min = input.MinCapacity ?? existing!.min;
  const max = input.MaxCapacity ?? existing!.max;
  if (min < 0 || max < 0) throw new ValidationException('Minimum and maximum capacity must be at least 0');
  if (min > max) throw new ValidationException('Minimum capacity cannot be greater than maximum capacity');
  const tags = Object.fromEntries((Object.entries(input.Tags ?? {}) as [string, string][]).map(([k, v]) => [k, v]));
  return {
    arn:
      existing?.arn ??
      `arn:aws:application-autoscaling:${deps.scope.region}:${deps.scope.accountId}:scalable-target/0e${deps.newId().replaceAll('-', '')}`,
    namespace: ref.namespace,
    resourceId: ref.resourceId,
    dimension: ref.dimension,
    min,
    max,
    suspended: { ...existing?.suspended, ...input.SuspendedState },
    createdAt: existing?.createdAt ?? deps.clock.now().getTime(),
    // Tags apply when the target is created; later ones go through TagResource.
    tags: existing?.tags ?? tags,
  };
}

/** Brings the desired count into the target's [min, max], naming the bound that moved it. */
export async function clampDesiredCount(
  deps: AutoScalingDeps,
  ref: TargetRef,
  target: StoredTarget,
  desired: number,
  changed: { min?: number | undefined; max?: number | undefined; cause?: string },
): Promise<void> {
  if (desired < target.min) {
    await scaleService(deps, ref, {
      desired: target.min,
      cause: changed.cause ?? `minimum capacity was set to ${target.min}`,
    });
  } else if (desired > target.max) {
    await scaleService(deps, ref, {
      desired: target.max,
      cause: changed.cause ?? `maximum capacity was set to ${target.max}`,
    });
  }
}

/** DeregisterScalableTarget: the target goes with its scaling policies (and their alarms) and scheduled actions. */
export async function deregisterScalableTarget(
  deps: AutoScalingDeps,
  input: DeregisterScalableTargetRequest,
): Promise<DeregisterScalableTargetResponse> {
  const ref = targetRef(input);
  await requireTarget(deps, ref);
  const policies = await deps.store.applicationAutoScaling.list('policy', { target: ref.key });
  const alarms = policies.flatMap((p) => bodyOf<StoredPolicy>(p).alarms.map((a) => a.AlarmName));
  if (alarms.length > 0) await deps.alarms.delete(alarms);
  await deps.store.applicationAutoScaling.deleteOfTarget(ref.key, ['policy', 'scheduled-action']);
  await deps.store.applicationAutoScaling.delete('target', ref.key);
  return {};
}

export async function describeScalableTargets(
  deps: AutoScalingDeps,
  input: DescribeScalableTargetsRequest,
): Promise<DescribeScalableTargetsResponse> {
  checkNamespace(input.ServiceNamespace);
  const ids = input.ResourceIds?.length ? new Set(input.ResourceIds) : undefined;
  const targets = (await deps.store.applicationAutoScaling.list('target'))
    .map((r) => bodyOf<StoredTarget>(r))
    .filter((t) => !ids || ids.has(t.resourceId))
    .filter((t) => input.ScalableDimension === undefined || input.ScalableDimension === t.dimension)
    .map((t) => targetView(deps, t));
  const { items, next } = page(targets, input, 50);
  return { ScalableTargets: items, ...(next ? { NextToken: next } : {}) };
}

function targetView(deps: AutoScalingDeps, t: StoredTarget): ScalableTarget {
  return {
    ServiceNamespace: 'ecs',
    ResourceId: t.resourceId,
    ScalableDimension: DESIRED_COUNT,
    MinCapacity: t.min,
    MaxCapacity: t.max,
    RoleARN: ecsRoleArn(deps.scope.accountId),
    CreationTime: new Date(t.createdAt),
    SuspendedState: {
      DynamicScalingInSuspended: t.suspended.DynamicScalingInSuspended ?? false,
      DynamicScalingOutSuspended: t.suspended.DynamicScalingOutSuspended ?? false,
      ScheduledScalingSuspended: t.suspended.ScheduledScalingSuspended ?? false,
    },
    ScalableTargetARN: t.arn,
  };
}
