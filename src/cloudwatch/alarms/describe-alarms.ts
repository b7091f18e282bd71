import type { CloudWatchDeps } from '../deps.ts';
import { invalidValue } from '../errors.ts';
import { metricKey } from '../metric-key.ts';
import { decodeToken, encodeToken } from '../page-tokens.ts';
import type {
  AlarmHistoryItem,
  DescribeAlarmHistoryInput,
  DescribeAlarmHistoryOutput,
  DescribeAlarmsForMetricInput,
  DescribeAlarmsForMetricOutput,
  DescribeAlarmsInput,
  DescribeAlarmsOutput,
  MetricAlarm,
} from '../shapes.generated.ts';
import { metricAlarmOf, storedAlarm, type StoredAlarm } from './alarm-record.ts';

const SCAN = 500;

/**
 * DescribeAlarms: metric alarms in name order, by names, prefix, state or action prefix, MaxRecords
 * (1-100, 50 by default) a page. Berth has no composite alarms: AlarmTypes CompositeAlarm alone,
 * ChildrenOfAlarmName and ParentsOfAlarmName find none.
 */
export async function describeAlarms(deps: CloudWatchDeps, input: DescribeAlarmsInput): Promise<DescribeAlarmsOutput> {
  const limit = pageSize(input.MaxRecords, 50);
  const types = input.AlarmTypes ?? ['MetricAlarm'];
  if (
    !types.includes('MetricAlarm') ||
    input.ChildrenOfAlarmName !== undefined ||
    input.ParentsOfAlarmName !== undefined
  ) {
    return { MetricAlarms: [], CompositeAlarms: [] };
  }
  const matches = (alarm: StoredAlarm) =>
    (input.StateValue === undefined || alarm.state.value === input.StateValue) &&
    (input.ActionPrefix === undefined || actionsOf(alarm).some((arn) => arn.startsWith(input.ActionPrefix!)));
  const found: MetricAlarm[] = [];
  let after = decodeToken(input.NextToken);
  let more = false;
  if (input.AlarmNames !== undefined) {
    const records = await deps.store.cloudWatch.getAlarms(input.AlarmNames);
    const listed = records
      .filter((r) => after === undefined || r.name > after)
      .map(storedAlarm)
      .filter(matches);
    const page = listed.slice(0, limit);
    return {
      MetricAlarms: page.map(metricAlarmOf),
      CompositeAlarms: [],
      ...(listed.length > limit ? { NextToken: encodeToken(page.at(-1)!.config.AlarmName) } : {}),
    };
  }
  for (;;) {
    const records = await deps.store.cloudWatch.listAlarms({
      ...(input.AlarmNamePrefix === undefined ? {} : { prefix: input.AlarmNamePrefix }),
      ...(after === undefined ? {} : { after }),
      limit: SCAN,
    });
    for (const record of records) {
      if (found.length === limit) {
        more = true;
        break;
      }
      after = record.name;
      const alarm = storedAlarm(record);
      if (matches(alarm)) found.push(metricAlarmOf(alarm));
    }
    if (more || records.length < SCAN) break;
  }
  return {
    MetricAlarms: found,
    CompositeAlarms: [],
    ...(more && after !== undefined ? { NextToken: encodeToken(after) } : {}),
  };
}

/** DescribeAlarmsForMetric: the alarms on exactly this metric (and statistic, period, unit when given). */
export async function describeAlarmsForMetric(
  deps: CloudWatchDeps,
  input: DescribeAlarmsForMetricInput,
): Promise<DescribeAlarmsForMetricOutput> {
  const key = metricKey(input.Namespace, input.MetricName, input.Dimensions ?? []);
  const found: MetricAlarm[] = [];
  let after: string | undefined;
  for (;;) {
    const records = await deps.store.cloudWatch.listAlarms({ ...(after === undefined ? {} : { after }), limit: SCAN });
    for (const record of records) {
      const c = storedAlarm(record).config;
      if (c.Namespace === undefined || c.MetricName === undefined) continue;
      if (metricKey(c.Namespace, c.MetricName, c.Dimensions ?? []) !== key) continue;
      if (input.Statistic !== undefined && c.Statistic !== input.Statistic) continue;
      if (input.ExtendedStatistic !== undefined && c.ExtendedStatistic !== input.ExtendedStatistic) continue;
      if (input.Period !== undefined && c.Period !== input.Period) continue;
      if (input.Unit !== undefined && c.Unit !== input.Unit) continue;
      found.push(metricAlarmOf(storedAlarm(record)));
    }
    if (records.length < SCAN) break;
    after = records.at(-1)!.name;
  }
  return { MetricAlarms: found };
}

/** DescribeAlarmHistory: newest first by default (ScanBy), MaxRecords 1-100 (100 by default). */
export async function describeAlarmHistory(
  deps: CloudWatchDeps,
  input: DescribeAlarmHistoryInput,
): Promise<DescribeAlarmHistoryOutput> {
  const limit = pageSize(input.MaxRecords, 100);
  const types = input.AlarmTypes ?? ['MetricAlarm'];
  if (!types.includes('MetricAlarm')) return { AlarmHistoryItems: [] };
  const after = decodeToken(input.NextToken);
  const records = await deps.store.cloudWatch.listHistory({
    ...(input.AlarmName === undefined ? {} : { alarmName: input.AlarmName }),
    ...(input.HistoryItemType === undefined ? {} : { itemType: input.HistoryItemType }),
    from: input.StartDate ?? new Date(0),
    to: input.EndDate ?? new Date(8.64e15),
    descending: (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending',
    ...(after === undefined ? {} : { after }),
    limit: limit + 1,
  });
  const page = records.slice(0, limit);
  return {
    AlarmHistoryItems: page.map((record): AlarmHistoryItem => ({
      AlarmName: record.alarmName,
      AlarmType: 'MetricAlarm',
      Timestamp: record.timestamp,
      HistoryItemType: record.itemType as AlarmHistoryItem['HistoryItemType'],
      HistorySummary: String(record.body.summary),
      HistoryData: String(record.body.data),
    })),
    ...(records.length > limit ? { NextToken: encodeToken(page.at(-1)!.id) } : {}),
  };
}

function pageSize(maxRecords: number | undefined, byDefault: number): number {
  if (maxRecords === undefined) return byDefault;
  if (maxRecords < 1 || maxRecords > 100) throw invalidValue('MaxRecords', maxRecords, 'It must be between 1 and 100.');
  return maxRecords;
}

function actionsOf(alarm: StoredAlarm): string[] {
  return [
    ...(alarm.config.AlarmActions ?? []),
    ...(alarm.config.OKActions ?? []),
    ...(alarm.config.InsufficientDataActions ?? []),
  ];
}
