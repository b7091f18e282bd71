import { filterLogEvents } from './filter-log-events.ts';
import { getLogEvents } from './get-log-events.ts';
import {
  createLogGroup,
  deleteLogGroup,
  deleteRetentionPolicy,
  describeLogGroups,
  putLogGroupDeletionProtection,
  putRetentionPolicy,
  type LogsDeps,
} from './log-groups.ts';
import { createLogStream, deleteLogStream, describeLogStreams } from './log-streams.ts';
import {
  deleteMetricFilter,
  describeMetricFilters,
  putMetricFilter,
  testMetricFilterOperation,
} from './metric-filters.ts';
import { putLogEvents } from './put-log-events.ts';
import type { LogsApi } from './shapes.generated.ts';
import {
  listTagsForResource,
  listTagsLogGroup,
  tagLogGroup,
  tagResource,
  untagLogGroup,
  untagResource,
} from './tags.ts';

/** The CloudWatch Logs operations Berth implements, by their AWS names. The protocol layer answers the rest. */
export function logsOperations(deps: LogsDeps): Partial<LogsApi> {
  return operationTable(deps);
}

function operationTable(deps: LogsDeps): Partial<LogsApi> {
  return {
    CreateLogGroup: (input) => createLogGroup(deps, input),
    DeleteLogGroup: (input) => deleteLogGroup(deps, input),
    DescribeLogGroups: (input, context) => describeLogGroups(deps, input, context),
    PutRetentionPolicy: (input) => putRetentionPolicy(deps, input),
    DeleteRetentionPolicy: (input) => deleteRetentionPolicy(deps, input),
    PutLogGroupDeletionProtection: (input, context) => putLogGroupDeletionProtection(deps, input, context),
    CreateLogStream: (input) => createLogStream(deps, input),
    DeleteLogStream: (input) => deleteLogStream(deps, input),
    DescribeLogStreams: (input, context) => describeLogStreams(deps, input, context),
    PutLogEvents: (input) => putLogEvents(deps, input),
    GetLogEvents: (input, context) => getLogEvents(deps, input, context),
    FilterLogEvents: (input, context) => filterLogEvents(deps, input, context),
    TagResource: (input, context) => tagResource(deps.store, input, context),
    UntagResource: (input, context) => untagResource(deps.store, input, context),
    ListTagsForResource: (input, context) => listTagsForResource(deps.store, input, context),
    TagLogGroup: (input) => tagLogGroup(deps.store, input),
    UntagLogGroup: (input) => untagLogGroup(deps.store, input),
    ListTagsLogGroup: (input) => listTagsLogGroup(deps.store, input),
    PutMetricFilter: (input) => putMetricFilter(deps, input),
    DescribeMetricFilters: (input) => describeMetricFilters(deps, input),
    DeleteMetricFilter: (input) => deleteMetricFilter(deps, input),
    TestMetricFilter: (input) => Promise.resolve(testMetricFilterOperation(input)),
  };
}
