import type { CloudWatchDeps } from './deps.ts';
import { getMetricData } from './get-metric-data.ts';
import { getMetricStatistics } from './get-metric-statistics.ts';
import { listMetrics } from './list-metrics.ts';
import { putMetricData } from './put-metric-data.ts';
import type { CloudWatchApi } from './shapes.generated.ts';
import {
  deleteAlarms,
  disableAlarmActions,
  enableAlarmActions,
  putCompositeAlarm,
  setAlarmState,
} from './alarms/alarm-commands.ts';
import { listTagsForResource, tagResource, untagResource } from './alarms/alarm-tags.ts';
import { describeAlarmHistory, describeAlarms, describeAlarmsForMetric } from './alarms/describe-alarms.ts';
import { putMetricAlarm } from './alarms/put-metric-alarm.ts';

/** The CloudWatch operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function cloudWatchOperations(deps: CloudWatchDeps): Partial<CloudWatchApi> {
  return {
    PutMetricData: (input) => putMetricData(deps, input),
    ListMetrics: (input) => listMetrics(deps, input),
    GetMetricStatistics: (input) => getMetricStatistics(deps, input),
    GetMetricData: (input) => getMetricData(deps, input),
    PutMetricAlarm: (input) => putMetricAlarm(deps, input),
    PutCompositeAlarm: (input) => putCompositeAlarm(deps, input),
    DescribeAlarms: (input) => describeAlarms(deps, input),
    DescribeAlarmsForMetric: (input) => describeAlarmsForMetric(deps, input),
    DescribeAlarmHistory: (input) => describeAlarmHistory(deps, input),
    SetAlarmState: (input) => setAlarmState(deps, input),
    DeleteAlarms: (input) => deleteAlarms(deps, input),
    EnableAlarmActions: (input) => enableAlarmActions(deps, input),
    DisableAlarmActions: (input) => disableAlarmActions(deps, input),
    TagResource: (input) => tagResource(deps, input),
    UntagResource: (input) => untagResource(deps, input),
    ListTagsForResource: (input) => listTagsForResource(deps, input),
  };
}
