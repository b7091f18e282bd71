import type { MemberRule, MemberTable, OperationMembers } from '../shared/member-classification.ts';

/*
 * What each CloudWatch Logs operation does with each input member (shared/member-classification.ts):
 * the paths its code acts on, the members it refuses, and the members accepted with no effect by
 * design. src/aws-protocol/ refuses; a test checks that every input member is classified here.
 */

const UNMASK: MemberRule = { inert: 'no data protection policies: nothing is masked to begin with' };

export const logsMembers: MemberTable = {
  CreateLogGroup: {
    acted: ['logGroupName', 'tags', 'logGroupClass', 'deletionProtectionEnabled'],
    rules: { kmsKeyId: { inert: 'no KMS: events are kept in the data folder, which Berth does not encrypt' } },
  },
  DeleteLogGroup: { acted: ['logGroupName'] },
  DescribeLogGroups: {
    acted: ['logGroupNamePrefix', 'logGroupNamePattern', 'nextToken', 'limit', 'logGroupClass', 'logGroupIdentifiers'],
    rules: {
      includeLinkedAccounts: { inert: 'a Berth server is one account, with no linked accounts' },
      accountIdentifiers: {
        refused: 'a Berth server is one account, with no linked accounts: the answer would be its own groups',
        byDesign: true,
        when: (value, scope) => Array.isArray(value) && value.some((account) => account !== scope.accountId),
      },
    },
  },
  PutRetentionPolicy: { acted: ['logGroupName', 'retentionInDays'] },
  DeleteRetentionPolicy: { acted: ['logGroupName'] },
  PutLogGroupDeletionProtection: { acted: ['logGroupIdentifier', 'deletionProtectionEnabled'] },
  CreateLogStream: { acted: ['logGroupName', 'logStreamName'] },
  DeleteLogStream: { acted: ['logGroupName', 'logStreamName'] },
  DescribeLogStreams: {
    acted: ['logGroupName', 'logGroupIdentifier', 'logStreamNamePrefix', 'orderBy', 'descending', 'nextToken', 'limit'],
  },
  PutLogEvents: {
    acted: ['logGroupName', 'logStreamName', 'logEvents[].timestamp', 'logEvents[].message'],
    rules: {
      sequenceToken: { inert: 'CloudWatch Logs itself ignores it now: any batch is accepted in any order' },
      entity: { inert: "the entity that emits the events, for CloudWatch's related telemetry, which Berth has not" },
    },
  },
  GetLogEvents: {
    acted: [
      'logGroupName',
      'logGroupIdentifier',
      'logStreamName',
      'startTime',
      'endTime',
      'nextToken',
      'limit',
      'startFromHead',
    ],
    rules: { unmask: UNMASK },
  },
  FilterLogEvents: {
    acted: [
      'logGroupName',
      'logGroupIdentifier',
      'logStreamNames',
      'logStreamNamePrefix',
      'startTime',
      'endTime',
      'filterPattern',
      'nextToken',
      'limit',
    ],
    rules: {
      interleaved: { inert: "deprecated: CloudWatch Logs always interleaves the streams' events, as Berth does" },
      unmask: UNMASK,
    },
  },
  TagResource: { acted: ['resourceArn', 'tags'] },
  UntagResource: { acted: ['resourceArn', 'tagKeys'] },
  ListTagsForResource: { acted: ['resourceArn'] },
  TagLogGroup: { acted: ['logGroupName', 'tags'] },
  UntagLogGroup: { acted: ['logGroupName', 'tags'] },
  ListTagsLogGroup: { acted: ['logGroupName'] },
  PutMetricFilter: {
    acted: [
      'logGroupName',
      'filterName',
      'filterPattern',
      'metricTransformations[].metricName',
      'metricTransformations[].metricNamespace',
      'metricTransformations[].metricValue',
      'metricTransformations[].defaultValue',
      'metricTransformations[].dimensions',
      'metricTransformations[].unit',
    ],
    rules: {
      applyOnTransformedLogs: {
        refused: 'Berth has no log transformers: the filter would apply to the events as they were put',
      },
      fieldSelectionCriteria: { refused: 'the filter would apply to every event, with no field selection' },
      emitSystemFieldDimensions: {
        refused: 'the metric would have no system field dimensions (such as @aws.account)',
      },
    },
  },
  DescribeMetricFilters: {
    acted: ['logGroupName', 'filterNamePrefix', 'nextToken', 'limit', 'metricName', 'metricNamespace'],
  },
  DeleteMetricFilter: { acted: ['logGroupName', 'filterName'] },
  TestMetricFilter: { acted: ['filterPattern', 'logEventMessages'] },
} satisfies Record<string, OperationMembers>;
