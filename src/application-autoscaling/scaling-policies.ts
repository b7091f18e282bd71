import type { AutoScalingDeps } from './deps.ts';
import { ConcurrentUpdateException, ObjectNotFoundException, ValidationException } from './errors.ts';
import { page } from './paging.ts';
import { asBody, bodyOf, type StoredPolicy } from './records.ts';
import { requireTarget } from './scalable-targets.ts';
import { checkNamespace, DESIRED_COUNT, targetRef, type TargetRef } from './scalable-target-key.ts';
import type {
  DeleteScalingPolicyRequest,
  DeleteScalingPolicyResponse,
  DescribeScalingPoliciesRequest,
  DescribeScalingPoliciesResponse,
  PutScalingPolicyRequest,
  PutScalingPolicyResponse,
  ScalingPolicy,
  StepAdjustment,
  StepScalingPolicyConfiguration,
} from './shapes.generated.ts';
import { alarmRefs, targetTrackingAlarms } from './target-tracking.ts';

const ADJUSTMENT_TYPES = ['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity'];

async function findPolicy(deps: AutoScalingDeps, ref: TargetRef, name: string) {
  const records = await deps.store.applicationAutoScaling.list('policy', { target: ref.key });
  return records.find((r) => bodyOf<StoredPolicy>(r).name === name);
}

/**
 * PutScalingPolicy: creates or replaces a policy on a registered target. A target tracking policy
 * gets its two alarms (replaced on update); a step scaling policy is run by the alarms that name
 * its ARN in their AlarmActions.
 */
export async function putScalingPolicy(
  deps: AutoScalingDeps,
  input: PutScalingPolicyRequest,
): Promise<PutScalingPolicyResponse> {
  const ref = targetRef(input);
  await requireTarget(deps, ref);
  if (input.PolicyType === 'PredictiveScaling' || input.PredictiveScalingPolicyConfiguration) {
    throw new ValidationException(
      'PolicyType PredictiveScaling is not supported for service namespace ecs in Berth yet',
    );
  }
  const record = await findPolicy(deps, ref, input.PolicyName);
  const existing = record ? bodyOf<StoredPolicy>(record) : undefined;
  const arn =
    existing?.arn ??
    `arn:aws:autoscaling:${deps.scope.region}:${deps.scope.accountId}:scalingPolicy:${deps.newId()}:resource/ecs/${ref.resourceId}:policyName/${input.PolicyName}`;
  const base = {
    arn,
    name: input.PolicyName,
    resourceId: ref.resourceId,
    createdAt: existing?.createdAt ?? deps.clock.now().getTime(),
  };
  const { policy, alarms } = plannedPolicy(deps, ref, input, { base, existing });
  const written = await deps.store.applicationAutoScaling.write(
    { kind: 'policy', id: arn, target: ref.key, createdAt: policy.createdAt, body: asBody(policy) },
    { expectRevision: record?.revision },
  );
  if (!written)
    throw new ConcurrentUpdateException(`The scaling policy ${input.PolicyName} is being changed by another request.`);
  // The old alarms go once the new ones exist (a target tracking policy owns its alarms).
  for (const alarm of alarms) await deps.alarms.put(alarm);
  const stale = (existing?.type === 'TargetTrackingScaling' ? existing.alarms : []).map((a) => a.AlarmName);
  if (stale.length > 0) await deps.alarms.delete(stale);
  return { PolicyARN: arn, ...(policy.type === 'TargetTrackingScaling' ? { Alarms: [...policy.alarms] } : {}) };
}

function plannedPolicy(
  deps: AutoScalingDeps,
  ref: TargetRef,
  input: PutScalingPolicyRequest,
  known: { base: Pick<StoredPolicy, 'arn' | 'name' | 'resourceId' | 'createdAt'>; existing: StoredPolicy | undefined },
): { policy: StoredPolicy; alarms: ReturnType<typeof targetTrackingAlarms> } {
  const { base, existing } = known;
  const arn = base.arn;
  const type = input.PolicyType ?? 'StepScaling';
  if (type === 'TargetTrackingScaling') {
    const config = input.TargetTrackingScalingPolicyConfiguration;
    if (!config || input.StepScalingPolicyConfiguration) {
      throw new ValidationException(
        'TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy, and StepScalingPolicyConfiguration may not be given',
      );
    }
    const alarms = targetTrackingAlarms(deps, ref, { arn, config });
    return { policy: { ...base, type, targetTracking: config, alarms: alarmRefs(deps, alarms) }, alarms };
  }
  const config = input.StepScalingPolicyConfiguration;
  if (!config || input.TargetTrackingScalingPolicyConfiguration) {
    throw new ValidationException(
      'StepScalingPolicyConfiguration is required for a StepScaling policy, and TargetTrackingScalingPolicyConfiguration may not be given',
    );
  }
  checkStepScaling(config);
  const policy: StoredPolicy = {
    ...base,
    type: 'StepScaling',
    step: config,
    alarms: existing?.type === 'StepScaling' ? existing.alarms : [],
  };
  return { policy, alarms: [] };
}

function checkStepScaling(config: StepScalingPolicyConfiguration): void {
  if (config.AdjustmentType === undefined || !ADJUSTMENT_TYPES.includes(config.AdjustmentType)) {
    throw new ValidationException('AdjustmentType must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity');
  }
  const steps = config.StepAdjustments ?? [];
  if (steps.length === 0) throw new ValidationException('StepAdjustments must have at least one step adjustment');
  if (config.MinAdjustmentMagnitude !== undefined && config.AdjustmentType !== 'PercentChangeInCapacity') {
    throw new ValidationException('MinAdjustmentMagnitude is valid only with AdjustmentType PercentChangeInCapacity');
  }
  if (config.Cooldown !== undefined && (config.Cooldown < 0 || config.Cooldown > 86_400))
    throw new ValidationException('Cooldown must be between 0 and 86400 seconds');
  if (
    config.MetricAggregationType !== undefined &&
    !['Average', 'Minimum', 'Maximum'].includes(config.MetricAggregationType)
  )
    throw new ValidationException('MetricAggregationType must be Average, Minimum or Maximum');
  checkIntervals(steps);
}

function checkIntervals(steps: readonly StepAdjustment[]): void {
  const sorted = [...steps].sort(
    (a, b) => (a.MetricIntervalLowerBound ?? -Infinity) - (b.MetricIntervalLowerBound ?? -Infinity),
  );
  for (const [i, step] of sorted.entries()) {
    const lower = step.MetricIntervalLowerBound ?? -Infinity;
    const upper = step.MetricIntervalUpperBound ?? Infinity;
    if (lower === -Infinity && upper === Infinity && steps.length > 1)
      throw new ValidationException('Only one step adjustment may have neither bound');
    if (lower >= upper)
      throw new ValidationException("A step adjustment's lower bound must be less than its upper bound");
    const next = sorted[i + 1];
    if (next && (next.MetricIntervalLowerBound ?? -Infinity) < upper)
      throw new ValidationException('Step adjustment intervals may not overlap');
  }
}

export async function describeScalingPolicies(
  deps: AutoScalingDeps,
  input: DescribeScalingPoliciesRequest,
): Promise<DescribeScalingPoliciesResponse> {
  checkNamespace(input.ServiceNamespace);
  const names = input.PolicyNames?.length ? new Set(input.PolicyNames) : undefined;
  const policies = (await deps.store.applicationAutoScaling.list('policy'))
    .map((r) => bodyOf<StoredPolicy>(r))
    .filter((p) => input.ResourceId === undefined || p.resourceId === input.ResourceId)
    .filter((p) => !names || names.has(p.name))
    .filter(() => input.ScalableDimension === undefined || input.ScalableDimension === DESIRED_COUNT)
    .map(policyView);
  const { items, next } = page(policies, input, 50);
  return { ScalingPolicies: items, ...(next ? { NextToken: next } : {}) };
}

function policyView(p: StoredPolicy): ScalingPolicy {
  return {
    PolicyARN: p.arn,
    PolicyName: p.name,
    ServiceNamespace: 'ecs',
    ResourceId: p.resourceId,
    ScalableDimension: DESIRED_COUNT,
    PolicyType: p.type,
    ...(p.step ? { StepScalingPolicyConfiguration: p.step } : {}),
    ...(p.targetTracking ? { TargetTrackingScalingPolicyConfiguration: p.targetTracking } : {}),
    Alarms: [...p.alarms],
    CreationTime: new Date(p.createdAt),
  };
}

/** DeleteScalingPolicy: a target tracking policy's alarms go with it. */
export async function deleteScalingPolicy(
  deps: AutoScalingDeps,
  input: DeleteScalingPolicyRequest,
): Promise<DeleteScalingPolicyResponse> {
  const ref = targetRef(input);
  const record = await findPolicy(deps, ref, input.PolicyName);
  if (!record) {
    throw new ObjectNotFoundException(
      `No scaling policy found for service namespace: ecs, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}, policy name: ${input.PolicyName}`,
    );
  }
  const policy = bodyOf<StoredPolicy>(record);
  if (policy.type === 'TargetTrackingScaling' && policy.alarms.length > 0)
    await deps.alarms.delete(policy.alarms.map((a) => a.AlarmName));
  await deps.store.applicationAutoScaling.delete('policy', record.id);
  return {};
}
