import type { PutMetricAlarmInput } from '../cloudwatch/index.ts';
import { alarmArn } from '../cloudwatch/index.ts';
import type { AutoScalingDeps } from './deps.ts';
import { ValidationException } from './errors.ts';
import type { TargetRef } from './scalable-target-key.ts';
import type { TargetTrackingScalingPolicyConfiguration } from './shapes.generated.ts';

/*
 * Target tracking's alarms, as Application Auto Scaling creates them: AlarmHigh (metric above the
 * target for 3 of 3 one-minute periods) and AlarmLow (below 90% of it for 15 of 15; none when
 * scale-in is disabled), named TargetTracking-<resource>-AlarmHigh-<uuid>, acting on the policy.
 */

const PREDEFINED: Record<string, { namespace: string; metric: string; statistic: 'Average' | 'Sum' }> = {
  ECSServiceAverageCPUUtilization: { namespace: 'AWS/ECS', metric: 'CPUUtilization', statistic: 'Average' },
  ECSServiceAverageMemoryUtilization: { namespace: 'AWS/ECS', metric: 'MemoryUtilization', statistic: 'Average' },
  ALBRequestCountPerTarget: { namespace: 'AWS/ApplicationELB', metric: 'RequestCountPerTarget', statistic: 'Sum' },
};

type MetricPart = Pick<PutMetricAlarmInput, 'Namespace' | 'MetricName' | 'Dimensions' | 'Statistic' | 'Unit'>;

function metricOf(ref: TargetRef, config: TargetTrackingScalingPolicyConfiguration): MetricPart {
  const predefined = config.PredefinedMetricSpecification;
  const custom = config.CustomizedMetricSpecification;
  if ((predefined === undefined) === (custom === undefined)) {
    throw new ValidationException(
      'Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified',
    );
  }
  if (predefined) {
    const known = PREDEFINED[predefined.PredefinedMetricType];
    if (!known) {
      throw new ValidationException(
        `Unsupported predefined metric type ${predefined.PredefinedMetricType} for service namespace ecs`,
      );
    }
    if (predefined.PredefinedMetricType === 'ALBRequestCountPerTarget') {
      // app/<lb-name>/<id>/targetgroup/<tg-name>/<id>: the TargetGroup dimension is its second half.
      const label = predefined.ResourceLabel ?? '';
      const match = /^(app\/[^/]+\/[^/]+)\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label);
      if (!match) {
        throw new ValidationException(
          'ResourceLabel must be app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id> for ALBRequestCountPerTarget',
        );
      }
      return {
        Namespace: known.namespace,
        MetricName: known.metric,
        Statistic: known.statistic,
        Dimensions: [{ Name: 'TargetGroup', Value: match[2]! }],
      };
    }
    return {
      Namespace: known.namespace,
      MetricName: known.metric,
      Statistic: known.statistic,
      Dimensions: [
        { Name: 'ClusterName', Value: ref.cluster },
        { Name: 'ServiceName', Value: ref.service },
      ],
    };
  }
  if (custom!.Metrics !== undefined) {
    throw new ValidationException(
      'CustomizedMetricSpecification.Metrics (metric math) is not built in Berth yet: use MetricName, Namespace, Dimensions and Statistic',
    );
  }
  if (!custom!.MetricName || !custom!.Namespace || !custom!.Statistic) {
    throw new ValidationException('CustomizedMetricSpecification needs MetricName, Namespace and Statistic');
  }
  return {
    Namespace: custom!.Namespace,
    MetricName: custom!.MetricName,
    Statistic: custom!.Statistic,
    Dimensions: custom!.Dimensions ?? [],
    ...(custom!.Unit ? { Unit: custom!.Unit as MetricPart['Unit'] } : {}),
  };
}

/** Checks the configuration and plans the policy's alarms (none written yet). */
export function targetTrackingAlarms(
  deps: AutoScalingDeps,
  ref: TargetRef,
  policy: { readonly arn: string; readonly config: TargetTrackingScalingPolicyConfiguration },
): PutMetricAlarmInput[] {
  const { config } = policy;
  if (!(config.TargetValue > 0)) throw new ValidationException('TargetValue must be greater than 0');
  for (const [name, value] of [
    ['ScaleOutCooldown', config.ScaleOutCooldown],
    ['ScaleInCooldown', config.ScaleInCooldown],
  ] as const) {
    if (value !== undefined && (value < 0 || value > 86_400))
      throw new ValidationException(`${name} must be between 0 and 86400 seconds`);
  }
  const metric = metricOf(ref, config);
  const description = `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policy.arn}.`;
  const common = {
    ...metric,
    Period: 60,
    ActionsEnabled: true,
    AlarmActions: [policy.arn],
    AlarmDescription: description,
  };
  const id = deps.newId();
  const alarms: PutMetricAlarmInput[] = [
    {
      ...common,
      AlarmName: `TargetTracking-${ref.resourceId}-AlarmHigh-${id}`,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: config.TargetValue,
      ComparisonOperator: 'GreaterThanThreshold',
    },
  ];
  if (!config.DisableScaleIn) {
    alarms.push({
      ...common,
      AlarmName: `TargetTracking-${ref.resourceId}-AlarmLow-${id}`,
      EvaluationPeriods: 15,
      DatapointsToAlarm: 15,
      Threshold: config.TargetValue * 0.9,
      ComparisonOperator: 'LessThanThreshold',
    });
  }
  return alarms;
}

export function alarmRefs(deps: AutoScalingDeps, alarms: readonly PutMetricAlarmInput[]) {
  return alarms.map((a) => ({ AlarmName: a.AlarmName, AlarmARN: alarmArn(deps.scope, a.AlarmName) }));
}
