import type { AlarmRecord } from '../../store/index.ts';
import type { MetricAlarm, PutMetricAlarmInput, StateValue, Tag } from '../shapes.generated.ts';

/** An alarm as the store keeps it: its configuration as PutMetricAlarm gave it, its state, tags and evaluation mark. */
export interface StoredAlarm {
  readonly arn: string;
  readonly config: Omit<PutMetricAlarmInput, 'Tags'>;
  readonly actionsEnabled: boolean;
  readonly configUpdatedAt: number;
  readonly state: {
    readonly value: StateValue;
    readonly reason: string;
    readonly reasonData?: string;
    readonly updatedAt: number;
    readonly transitionedAt: number;
    /** When the state's actions last ran (its transition, then once a minute for repeating ones). */
    readonly actedAt?: number;
  };
  readonly tags: readonly Tag[];
  /** The end of the last period the evaluator evaluated (epoch ms): it evaluates once per boundary. */
  readonly evaluatedUntil: number;
}

export function storedAlarm(record: AlarmRecord): StoredAlarm {
  return record.body as unknown as StoredAlarm;
}

/** The alarm as DescribeAlarms shows it. */
export function metricAlarmOf(alarm: StoredAlarm): MetricAlarm {
  const c = alarm.config;
  return {
    AlarmName: c.AlarmName,
    AlarmArn: alarm.arn,
    ...(c.AlarmDescription === undefined ? {} : { AlarmDescription: c.AlarmDescription }),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configUpdatedAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: c.OKActions ?? [],
    AlarmActions: c.AlarmActions ?? [],
    InsufficientDataActions: c.InsufficientDataActions ?? [],
    StateValue: alarm.state.value,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData === undefined ? {} : { StateReasonData: alarm.state.reasonData }),
    StateUpdatedTimestamp: new Date(alarm.state.updatedAt),
    StateTransitionedTimestamp: new Date(alarm.state.transitionedAt),
    ...(c.MetricName === undefined ? {} : { MetricName: c.MetricName }),
    ...(c.Namespace === undefined ? {} : { Namespace: c.Namespace }),
    ...(c.Statistic === undefined ? {} : { Statistic: c.Statistic }),
    ...(c.ExtendedStatistic === undefined ? {} : { ExtendedStatistic: c.ExtendedStatistic }),
    Dimensions: c.Metrics ? undefined : (c.Dimensions ?? []),
    ...(c.Period === undefined ? {} : { Period: c.Period }),
    ...(c.Unit === undefined ? {} : { Unit: c.Unit }),
    EvaluationPeriods: c.EvaluationPeriods,
    ...(c.DatapointsToAlarm === undefined ? {} : { DatapointsToAlarm: c.DatapointsToAlarm }),
    Threshold: c.Threshold,
    ComparisonOperator: c.ComparisonOperator,
    ...(c.TreatMissingData === undefined ? {} : { TreatMissingData: c.TreatMissingData }),
    ...(c.EvaluateLowSampleCountPercentile === undefined
      ? {}
      : { EvaluateLowSampleCountPercentile: c.EvaluateLowSampleCountPercentile }),
    ...(c.Metrics === undefined ? {} : { Metrics: c.Metrics }),
  };
}

/** The period an alarm evaluates at: its own, or its metric math's returned query's. */
export function alarmPeriod(config: StoredAlarm['config']): number {
  if (config.Period !== undefined) return config.Period;
  const returned = config.Metrics?.find((m) => m.ReturnData !== false);
  return returned?.Period ?? returned?.MetricStat?.Period ?? 60;
}
