import type { LogGroupRecord } from '../store/index.ts';
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException } from './errors.ts';
import { decodeListToken, encodeListToken } from './event-tokens.ts';
import { requireLogGroup, type LogsDeps } from './log-groups.ts';
import { checkMetricFilter, testMetricFilter, type StoredMetricFilter } from './metric-transformation.ts';
import type {
  DeleteMetricFilterRequest,
  DescribeMetricFiltersRequest,
  DescribeMetricFiltersResponse,
  MetricFilter,
  PutMetricFilterRequest,
  TestMetricFilterRequest,
  TestMetricFilterResponse,
} from './shapes.generated.ts';

/*
 * PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and TestMetricFilter. A group's
 * filters (at most 100) live in its details as `metricFilters`, sorted by name, and change by
 * compare-and-set (store.logs.replaceDetails), so concurrent puts and deletes never lose one.
 * filter-metrics.ts applies them to each PutLogEvents batch.
 */

export const MAX_METRIC_FILTERS = 100;
// Each round of a conflict has a winner, so n concurrent writers need at most n attempts.
const MAX_ATTEMPTS = 100;

/** The filters a group's details hold, in name order. */
export function metricFiltersOf(group: LogGroupRecord): StoredMetricFilter[] {
  const filters = group.details.metricFilters;
  return Array.isArray(filters) ? (filters as StoredMetricFilter[]) : [];
}

/** Reads the group, changes its filter list and writes it back if nobody changed it meanwhile. */
async function changeFilters(
  deps: LogsDeps,
  groupName: string,
  change: (filters: StoredMetricFilter[]) => StoredMetricFilter[],
): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const group = await requireLogGroup(deps.store, groupName);
    const next = { ...group.details, metricFilters: change(metricFiltersOf(group)) };
    const outcome = await deps.store.logs.replaceDetails(group.name, group.details, next);
    if (outcome === 'replaced') return;
    if (outcome === 'no-group') throw ResourceNotFoundException.logGroup();
  }
  throw new Error(`log group ${groupName}: its details kept changing during ${MAX_ATTEMPTS} attempts`);
}

export async function putMetricFilter(deps: LogsDeps, input: PutMetricFilterRequest): Promise<void> {
  checkMetricFilter(input.filterPattern, input.metricTransformations);
  const filter: StoredMetricFilter = {
    filterName: input.filterName,
    filterPattern: input.filterPattern,
    metricTransformations: input.metricTransformations.map((t) => ({ ...t, unit: t.unit ?? 'None' })),
    creationTime: deps.clock.now().getTime(),
  };
  await changeFilters(deps, input.logGroupName, (filters) => {
    const others = filters.filter((f) => f.filterName !== filter.filterName);
    // A put of an existing name replaces it, so only a new name counts against the limit.
    if (others.length === filters.length && filters.length >= MAX_METRIC_FILTERS) {
      throw new LimitExceededException('Resource limit exceeded.');
    }
    return [...others, filter].sort((a, b) => (a.filterName < b.filterName ? -1 : 1));
  });
}

export async function deleteMetricFilter(deps: LogsDeps, input: DeleteMetricFilterRequest): Promise<void> {
  await changeFilters(deps, input.logGroupName, (filters) => {
    const kept = filters.filter((f) => f.filterName !== input.filterName);
    if (kept.length === filters.length) throw ResourceNotFoundException.metricFilter();
    return kept;
  });
}

export async function describeMetricFilters(
  deps: LogsDeps,
  input: DescribeMetricFiltersRequest,
): Promise<DescribeMetricFiltersResponse> {
  if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) {
    throw new InvalidParameterException('If you specify filterNamePrefix, you must also specify logGroupName.');
  }
  if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) {
    throw new InvalidParameterException('metricName and metricNamespace must be specified together.');
  }
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
    throw new InvalidParameterException('limit must be between 1 and 50.');
  }
  const after = afterOf(input.nextToken);
  const found: MetricFilter[] = [];
  const keep = (filter: StoredMetricFilter, group: string) =>
    (input.filterNamePrefix === undefined || filter.filterName.startsWith(input.filterNamePrefix)) &&
    (input.metricName === undefined ||
      filter.metricTransformations.some(
        (t) => t.metricName === input.metricName && t.metricNamespace === input.metricNamespace,
      )) &&
    (after === undefined || group > after.group || (group === after.group && filter.filterName > after.filter));
  for await (const group of groupsToScan(deps, input.logGroupName, after?.group)) {
    for (const filter of metricFiltersOf(group)) {
      if (keep(filter, group.name)) found.push(describeFilter(filter, group.name));
    }
    if (found.length > limit) break;
  }
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    metricFilters: page,
    ...(found.length > limit && last
      ? { nextToken: encodeListToken({ group: last.logGroupName!, filter: last.filterName! }) }
      : {}),
  };
}

function afterOf(token: string | undefined): { group: string; filter: string } | undefined {
  const key = decodeListToken(token);
  if (key === undefined && token === undefined) return undefined;
  if (typeof key?.group !== 'string' || typeof key.filter !== 'string') {
    throw new InvalidParameterException('The specified nextToken is invalid.');
  }
  return { group: key.group, filter: key.filter };
}

/** The one named group, or every group from `from` on in name order, a page of the store at a time. */
async function* groupsToScan(deps: LogsDeps, name: string | undefined, from: string | undefined) {
  if (name !== undefined) {
    yield await requireLogGroup(deps.store, name);
    return;
  }
  // A page ends inside the token's group: its later filters come first.
  const resumed = from === undefined ? undefined : await deps.store.logs.getGroup(from);
  if (resumed) yield resumed;
  let after = from;
  for (;;) {
    const groups = await deps.store.logs.listGroups({ after, limit: 100 });
    yield* groups;
    if (groups.length < 100) return;
    after = groups.at(-1)!.name;
  }
}

function describeFilter(filter: StoredMetricFilter, logGroupName: string): MetricFilter {
  return {
    filterName: filter.filterName,
    filterPattern: filter.filterPattern,
    metricTransformations: filter.metricTransformations.map((t) => ({ ...t })),
    creationTime: filter.creationTime,
    logGroupName,
    applyOnTransformedLogs: false,
  };
}

export function testMetricFilterOperation(input: TestMetricFilterRequest): TestMetricFilterResponse {
  if (input.logEventMessages.length < 1 || input.logEventMessages.length > 50) {
    throw new InvalidParameterException('logEventMessages holds 1 to 50 messages.');
  }
  return { matches: testMetricFilter(input.filterPattern, input.logEventMessages) };
}
