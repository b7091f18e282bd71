import type { MemberRule, MemberTable, OperationMembers } from '../shared/member-classification.ts';
import { under } from '../shared/member-classification.ts';

/*
 * What each CloudWatch operation does with each input member (shared/member-classification.ts).
 * src/aws-protocol/ refuses; a test checks that every input member is classified here.
 */

const DATUM = [
  'MetricName',
  'Dimensions[].Name',
  'Dimensions[].Value',
  'Timestamp',
  'Value',
  'Values',
  'Counts',
  'Unit',
  'StorageResolution',
];
const STATISTIC_SET = under('StatisticValues', ['SampleCount', 'Sum', 'Minimum', 'Maximum']);
const METRIC_STAT = [
  'MetricStat.Metric.Namespace',
  'MetricStat.Metric.MetricName',
  'MetricStat.Metric.Dimensions[].Name',
  'MetricStat.Metric.Dimensions[].Value',
  'MetricStat.Period',
  'MetricStat.Stat',
  'MetricStat.Unit',
];
const QUERY = ['Id', 'Expression', 'Label', 'ReturnData', 'Period', ...METRIC_STAT];
const OTHER_ACCOUNT: MemberRule = {
  refused: 'a Berth server is one account: another account would be read as this one',
  byDesign: true,
  when: (value, scope) => typeof value === 'string' && value !== scope.accountId,
};
const LINKED: MemberRule = { inert: 'a Berth server is one account, with no linked accounts' };
const CONTRIBUTOR: MemberRule = { inert: 'no multi-contributor (PromQL) alarms: there are no contributors to name' };
const COMPOSITE = ['ChildrenOfAlarmName', 'ParentsOfAlarmName'];

export const cloudWatchMembers: MemberTable = {
  PutMetricData: {
    acted: [
      'Namespace',
      ...under('MetricData[]', [...DATUM, ...STATISTIC_SET]),
      ...under('EntityMetricData[].MetricData[]', [...DATUM, ...STATISTIC_SET]),
    ],
    rules: {
      'EntityMetricData[].Entity': {
        inert: "the entity that emits the metric, for CloudWatch's related telemetry, which Berth has not",
      },
      StrictEntityValidation: { inert: 'entities are not validated: they are not kept' },
    },
  },
  ListMetrics: {
    acted: ['Namespace', 'MetricName', 'Dimensions[].Name', 'Dimensions[].Value', 'NextToken', 'RecentlyActive'],
    rules: { IncludeLinkedAccounts: LINKED, OwningAccount: OTHER_ACCOUNT },
  },
  GetMetricStatistics: {
    acted: [
      'Namespace',
      'MetricName',
      'Dimensions[].Name',
      'Dimensions[].Value',
      'StartTime',
      'EndTime',
      'Period',
      'Statistics',
      'ExtendedStatistics',
      'Unit',
    ],
  },
  GetMetricData: {
    acted: [...under('MetricDataQueries[]', QUERY), 'StartTime', 'EndTime', 'NextToken', 'ScanBy', 'MaxDatapoints'],
    rules: {
      'MetricDataQueries[].AccountId': OTHER_ACCOUNT,
      LabelOptions: { inert: 'labels are static: no dynamic label ${...} is expanded, so no time zone applies' },
    },
  },
  PutMetricAlarm: {
    acted: [
      'AlarmName',
      'AlarmDescription',
      'ActionsEnabled',
      'OKActions',
      'AlarmActions',
      'InsufficientDataActions',
      'MetricName',
      'Namespace',
      'Statistic',
      'ExtendedStatistic',
      'Dimensions[].Name',
      'Dimensions[].Value',
      'Period',
      'Unit',
      'EvaluationPeriods',
      'DatapointsToAlarm',
      'Threshold',
      'ComparisonOperator',
      'TreatMissingData',
      ...under('Metrics[]', QUERY),
      'Tags[].Key',
      'Tags[].Value',
    ],
    rules: {
      'Metrics[].AccountId': OTHER_ACCOUNT,
      EvaluateLowSampleCountPercentile: {
        refused: 'low-sample-count percentiles would be evaluated anyway',
        issue: 19,
        when: (value) => value === 'ignore',
      },
      ThresholdMetricId: {
        refused: 'anomaly detection bands are not computed: the alarm would never compare',
        issue: 19,
      },
      EvaluationCriteria: { refused: 'PromQL alarms are not evaluated: the alarm would never change state', issue: 19 },
      EvaluationInterval: { refused: 'PromQL alarms are not evaluated: the alarm would never change state', issue: 19 },
    },
  },
  PutCompositeAlarm: {
    acted: ['AlarmName', 'AlarmRule'],
    rules: {
      ...Object.fromEntries(
        [
          'ActionsEnabled',
          'AlarmActions',
          'AlarmDescription',
          'InsufficientDataActions',
          'OKActions',
          'Tags',
          'ActionsSuppressor',
          'ActionsSuppressorWaitPeriod',
          'ActionsSuppressorExtensionPeriod',
        ].map((name) => [
          name,
          { inert: 'PutCompositeAlarm is refused as a whole: composite alarms are not evaluated' },
        ]),
      ),
    },
  },
  DescribeAlarms: {
    acted: [
      'AlarmNames',
      'AlarmNamePrefix',
      'AlarmTypes',
      'StateValue',
      'ActionPrefix',
      'MaxRecords',
      'NextToken',
      ...COMPOSITE,
    ],
  },
  DescribeAlarmsForMetric: {
    acted: [
      'MetricName',
      'Namespace',
      'Statistic',
      'ExtendedStatistic',
      'Dimensions[].Name',
      'Dimensions[].Value',
      'Period',
      'Unit',
    ],
  },
  DescribeAlarmHistory: {
    acted: ['AlarmName', 'AlarmTypes', 'HistoryItemType', 'StartDate', 'EndDate', 'MaxRecords', 'NextToken', 'ScanBy'],
    rules: { AlarmContributorId: CONTRIBUTOR },
  },
  SetAlarmState: { acted: ['AlarmName', 'StateValue', 'StateReason', 'StateReasonData'] },
  DeleteAlarms: { acted: ['AlarmNames'] },
  EnableAlarmActions: { acted: ['AlarmNames'] },
  DisableAlarmActions: { acted: ['AlarmNames'] },
  TagResource: { acted: ['ResourceARN', 'Tags[].Key', 'Tags[].Value'] },
  UntagResource: { acted: ['ResourceARN', 'TagKeys'] },
  ListTagsForResource: { acted: ['ResourceARN'] },
} satisfies Record<string, OperationMembers>;
