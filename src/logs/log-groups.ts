import type { ArnScope } from '../shared/arn.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetricPublisher } from '../shared/metric-publisher.ts';
import type { RequestContext } from '../shared/request-context.ts';
import type { LogGroupRecord, MetadataStore } from '../store/index.ts';
import {
  InvalidParameterException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ValidationException,
} from './errors.ts';
import { decodeListToken, encodeListToken } from './event-tokens.ts';
import { checkLogGroupName, groupNameOfArn, logGroupArn, requestedGroupName } from './names.ts';
import { checkRetentionDays } from './retention.ts';
import type {
  CreateLogGroupRequest,
  DeleteLogGroupRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  LogGroup,
  PutLogGroupDeletionProtectionRequest,
  PutRetentionPolicyRequest,
} from './shapes.generated.ts';
import { checkTags } from './tags.ts';

export interface LogsDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  /** Where metric filters' data go (CloudWatch); without one, filters are kept but publish nothing. */
  readonly publisher?: MetricPublisher;
  /** Where a failed metric filter publish is reported. */
  readonly logger?: Logger;
}

/** A new group as CreateLogGroup (or the in-process appender) makes it. */
export function newLogGroup(name: string, createdAt: Date, input: Partial<CreateLogGroupRequest> = {}): LogGroupRecord {
  const logGroupClass = input.logGroupClass ?? 'STANDARD';
  return {
    name,
    createdAt,
    // The Delivery class keeps events for one day.
    retentionInDays: logGroupClass === 'DELIVERY' ? 1 : undefined,
    logGroupClass,
    storedBytes: 0,
    tags: input.tags ?? {},
    details: {
      ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
      deletionProtectionEnabled: input.deletionProtectionEnabled ?? false,
    },
  };
}

export async function createLogGroup(deps: LogsDeps, input: CreateLogGroupRequest): Promise<void> {
  checkLogGroupName(input.logGroupName);
  if (input.tags) checkTags(input.tags);
  const created = await deps.store.logs.createGroup(newLogGroup(input.logGroupName, deps.clock.now(), input));
  if (!created) throw ResourceAlreadyExistsException.logGroup();
}

export async function deleteLogGroup(deps: LogsDeps, input: DeleteLogGroupRequest): Promise<void> {
  const group = await requireLogGroup(deps.store, input.logGroupName);
  requireDeletable(group);
  if (!(await deps.store.logs.deleteGroup(group.name))) throw ResourceNotFoundException.logGroup();
}

export async function requireLogGroup(store: MetadataStore, name: string): Promise<LogGroupRecord> {
  const group = await store.logs.getGroup(name);
  if (!group) throw ResourceNotFoundException.logGroup();
  return group;
}

/** Deletion protection blocks deleting the group and its streams until it is turned off. */
export function requireDeletable(group: LogGroupRecord): void {
  if (group.details.deletionProtectionEnabled === true) {
    throw new ValidationException(`Log group ${group.name} has deletion protection enabled.`);
  }
}

export async function describeLogGroups(
  deps: LogsDeps,
  input: DescribeLogGroupsRequest,
  context: RequestContext,
): Promise<DescribeLogGroupsResponse> {
  const names = groupNamesOf(input, context);
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw new InvalidParameterException(
      'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
    );
  }
  const limit = input.limit ?? 50;
  const token = decodeListToken(input.nextToken);
  if (token !== undefined && typeof token.after !== 'string')
    throw new InvalidParameterException('The specified nextToken is invalid.');
  const groups = await deps.store.logs.listGroups({
    namePrefix: input.logGroupNamePrefix,
    nameContains: input.logGroupNamePattern || undefined,
    names,
    logGroupClass: input.logGroupClass,
    after: token?.after as string | undefined,
    limit: limit + 1,
  });
  const page = groups.slice(0, limit);
  const brief = input.logGroupNamePattern !== undefined;
  return {
    logGroups: page.map((group) => describeLogGroup(group, context, brief)),
    ...(groups.length > limit ? { nextToken: encodeListToken({ after: page.at(-1)!.name }) } : {}),
  };
}

/** logGroupIdentifiers (names or ARNs) go with no other filter. */
function groupNamesOf(input: DescribeLogGroupsRequest, scope: ArnScope): string[] | undefined {
  if (!input.logGroupIdentifiers) return undefined;
  if (input.logGroupNamePrefix !== undefined || input.logGroupNamePattern !== undefined || input.logGroupClass) {
    throw new InvalidParameterException(
      'logGroupIdentifiers cannot be combined with logGroupNamePrefix, logGroupNamePattern or logGroupClass.',
    );
  }
  return input.logGroupIdentifiers.flatMap((id) => {
    if (!id.startsWith('arn:')) return [id];
    const name = groupNameOfArn(id, scope);
    return name === undefined ? [] : [name];
  });
}

/** The API's LogGroup; with a name pattern AWS returns only the name, ARN and creation time. */
export function describeLogGroup(group: LogGroupRecord, scope: ArnScope, brief = false): LogGroup {
  const arn = logGroupArn(scope, group.name);
  const base = { logGroupName: group.name, creationTime: group.createdAt.getTime(), arn: `${arn}:*` };
  if (brief) return base;
  const kmsKeyId = group.details.kmsKeyId;
  return {
    ...base,
    ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
    metricFilterCount: Array.isArray(group.details.metricFilters) ? group.details.metricFilters.length : 0,
    storedBytes: group.storedBytes,
    ...(typeof kmsKeyId === 'string' ? { kmsKeyId } : {}),
    logGroupClass: group.logGroupClass as LogGroup['logGroupClass'],
    logGroupArn: arn,
    deletionProtectionEnabled: group.details.deletionProtectionEnabled === true,
  };
}

export async function putLogGroupDeletionProtection(
  deps: LogsDeps,
  input: PutLogGroupDeletionProtectionRequest,
  context: RequestContext,
): Promise<void> {
  // Compare-and-set, so a concurrent PutMetricFilter (also in details) is not lost.
  for (;;) {
    const group = await requireLogGroup(deps.store, requestedGroupName(input, context));
    const details = { ...group.details, deletionProtectionEnabled: input.deletionProtectionEnabled };
    const outcome = await deps.store.logs.replaceDetails(group.name, group.details, details);
    if (outcome === 'no-group') throw ResourceNotFoundException.logGroup();
    if (outcome === 'replaced') return;
  }
}

export async function putRetentionPolicy(deps: LogsDeps, input: PutRetentionPolicyRequest): Promise<void> {
  checkRetentionDays(input.retentionInDays);
  if (!(await deps.store.logs.setRetention(input.logGroupName, input.retentionInDays))) {
    throw ResourceNotFoundException.logGroup();
  }
}

export async function deleteRetentionPolicy(deps: LogsDeps, input: DeleteRetentionPolicyRequest): Promise<void> {
  if (!(await deps.store.logs.setRetention(input.logGroupName, undefined))) throw ResourceNotFoundException.logGroup();
}
