import type { AlarmActionSink, AlarmTransition } from '../cloudwatch/index.ts';
import { scaleService } from './activities.ts';
import type { AutoScalingDeps } from './deps.ts';
import { asBody, bodyOf, type StoredPolicy, type StoredTarget } from './records.ts';
import { targetRef } from './scalable-target-key.ts';
import { stepCapacity, stepFor, targetTrackingCapacity } from './scaling-math.ts';

/**
 * Scaling policies as CloudWatch alarm actions: PutMetricAlarm accepts this account's policy ARNs,
 * and an alarm's state change runs the policy. The metric value is the alarm's newest datapoint
 * (StateReasonData); an alarm set by SetAlarmState has none, and then a step policy takes the step
 * that holds a breach of 0 and a target tracking policy moves by one.
 */
export function policyAlarmActions(deps: AutoScalingDeps): AlarmActionSink {
  const prefix = `arn:aws:autoscaling:${deps.scope.region}:${deps.scope.accountId}:scalingPolicy:`;
  const accepts = (arn: string): boolean => arn.startsWith(prefix) && arn.includes(':resource/ecs/service/');
  return {
    accepts,
    act: (arn, transition) => runPolicy(deps, arn, transition),
    // CloudWatch invokes Auto Scaling actions once a minute while the alarm stays in ALARM.
    repeats: accepts,
  };
}

interface Reading {
  readonly value: number | undefined;
  readonly threshold: number | undefined;
}

function readingOf(transition: AlarmTransition): Reading {
  try {
    const data = JSON.parse(transition.reasonData ?? '{}') as { recentDatapoints?: number[]; threshold?: number };
    return { value: data.recentDatapoints?.[0], threshold: data.threshold };
  } catch {
    return { value: undefined, threshold: undefined };
  }
}

async function runPolicy(deps: AutoScalingDeps, arn: string, transition: AlarmTransition): Promise<void> {
  const record = await deps.store.applicationAutoScaling.get('policy', arn);
  if (!record) throw new Error(`The scaling policy ${arn} does not exist`);
  const policy = bodyOf<StoredPolicy>(record);
  const ref = targetRef({
    ServiceNamespace: 'ecs',
    ResourceId: policy.resourceId,
    ScalableDimension: 'ecs:service:DesiredCount',
  });
  const targetRecord = await deps.store.applicationAutoScaling.get('target', ref.key);
  if (!targetRecord) throw new Error(`No scalable target registered for ${policy.resourceId}`);
  const target = bodyOf<StoredTarget>(targetRecord);
  const current = await deps.services.desiredCount(ref.cluster, ref.service);
  if (current === undefined) throw new Error(`ECS service doesn't exist: ${policy.resourceId}`);
  const desired = decide(policy, target, current, transition);
  if (desired === undefined || desired === current) return;
  const out = desired > current;
  if (out ? target.suspended.DynamicScalingOutSuspended : target.suspended.DynamicScalingInSuspended) return;
  const now = deps.clock.now().getTime();
  // Within the cooldown after the policy last scaled, scale-in waits; scale-out goes ahead when the
  // alarm has just changed state (AWS's ECS rule), but its once-a-minute repeats wait too, or a
  // step policy would add its step every minute of the cooldown.
  const cooldown = cooldownSeconds(policy, out) * 1000;
  const repeat = transition.oldState === transition.newState;
  if ((!out || repeat) && policy.lastScaling && now - policy.lastScaling.at < cooldown) return;
  const done = await scaleService(deps, ref, {
    desired,
    cause: `monitor alarm ${transition.alarmName} in state ${transition.newState} triggered policy ${policy.name}`,
  });
  if (done) {
    const updated: StoredPolicy = { ...policy, lastScaling: { at: now, out } };
    await deps.store.applicationAutoScaling.write(
      { kind: 'policy', id: record.id, target: record.target, createdAt: record.createdAt, body: asBody(updated) },
      { expectRevision: record.revision },
    );
  }
}

function cooldownSeconds(policy: StoredPolicy, out: boolean): number {
  if (policy.step) return policy.step.Cooldown ?? 0;
  const tt = policy.targetTracking!;
  return (out ? tt.ScaleOutCooldown : tt.ScaleInCooldown) ?? 300;
}

/** The desired count the policy asks for, or undefined when it asks for no change. */
export function decide(
  policy: StoredPolicy,
  target: Pick<StoredTarget, 'min' | 'max'>,
  current: number,
  transition: Pick<AlarmTransition, 'alarmName' | 'reasonData'>,
): number | undefined {
  const reading = readingOf(transition as AlarmTransition);
  const bounds = { min: target.min, max: target.max };
  if (policy.step) {
    const breach =
      reading.value !== undefined && reading.threshold !== undefined ? reading.value - reading.threshold : undefined;
    const steps = policy.step.StepAdjustments ?? [];
    const step = breach === undefined ? (stepFor(steps, 0) ?? stepFor(steps, -Number.EPSILON)) : stepFor(steps, breach);
    if (!step) return undefined;
    return stepCapacity({
      current,
      adjustment: step.ScalingAdjustment,
      type: policy.step.AdjustmentType ?? 'ChangeInCapacity',
      minAdjustmentMagnitude: policy.step.MinAdjustmentMagnitude,
      ...bounds,
    });
  }
  const config = policy.targetTracking!;
  const high = policy.alarms.find((a) => a.AlarmName === transition.alarmName)?.AlarmName.includes('-AlarmHigh-');
  if (high === undefined) return undefined;
  if (!high && config.DisableScaleIn) return undefined;
  const wanted =
    reading.value === undefined
      ? current + (high ? 1 : -1)
      : targetTrackingCapacity({ current, metric: reading.value, target: config.TargetValue, ...bounds });
  const clamped = Math.min(bounds.max, Math.max(bounds.min, wanted));
  // The high alarm only scales out and the low one only in.
  return high ? Math.max(clamped, current) : Math.min(clamped, current);
}
