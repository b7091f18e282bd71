import type { CloudWatchDeps } from './deps.ts';
import { InvalidParameterValueException } from './errors.ts';
import { evaluateQueries } from './metric-queries.ts';
import { decodeToken, encodeToken } from './page-tokens.ts';
import type { GetMetricDataInput, GetMetricDataOutput, MetricDataResult } from './shapes.generated.ts';

/** Datapoints a page holds at most (AWS's limit, and the default MaxDatapoints). */
export const MAX_DATAPOINTS = 100_800;

/**
 * GetMetricData: the queries evaluated over [StartTime, EndTime), each returned result's points in
 * ScanBy order (newest first by default). A page holds MaxDatapoints across the results; the
 * NextToken says how many points of the whole answer came before, and a result cut by the page
 * says PartialData.
 */
export async function getMetricData(deps: CloudWatchDeps, input: GetMetricDataInput): Promise<GetMetricDataOutput> {
  if (input.StartTime.getTime() >= input.EndTime.getTime()) {
    throw new InvalidParameterValueException('The parameter StartTime must be less than the parameter EndTime.');
  }
  const pageSize = Math.min(MAX_DATAPOINTS, Math.max(1, input.MaxDatapoints ?? MAX_DATAPOINTS));
  const skip = Number(decodeToken(input.NextToken) ?? '0');
  const results = await evaluateQueries(deps, input.MetricDataQueries, {
    start: input.StartTime,
    end: input.EndTime,
  });
  const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
  let offset = 0;
  let room = pageSize;
  const out: MetricDataResult[] = [];
  for (const result of results) {
    const times = [...result.series.points.keys()]
      .filter((t) => t >= input.StartTime.getTime() - result.series.period * 1000 && t < input.EndTime.getTime())
      .sort((a, b) => (descending ? b - a : a - b));
    const from = Math.min(times.length, Math.max(0, skip - offset));
    const taken = times.slice(from, from + room);
    room -= taken.length;
    offset += times.length;
    out.push({
      Id: result.id,
      Label: result.label,
      Timestamps: taken.map((t) => new Date(t)),
      Values: taken.map((t) => result.series.points.get(t)!),
      StatusCode: from + taken.length < times.length ? 'PartialData' : 'Complete',
      Messages: [],
    });
  }
  const returned = skip + pageSize - room;
  return {
    MetricDataResults: out,
    Messages: [],
    ...(returned < offset ? { NextToken: encodeToken(String(returned)) } : {}),
  };
}
