import type { CloudWatchDeps } from './deps.ts';
import {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  invalidValue,
} from './errors.ts';
import { readPeriods } from './metric-series.ts';
import { periodRuleBroken } from './resolutions.ts';
import type {
  Datapoint,
  GetMetricStatisticsInput,
  GetMetricStatisticsOutput,
  StandardUnit,
} from './shapes.generated.ts';
import { parseStatistic, statisticOf, type ParsedStatistic } from './statistics.ts';

/** Datapoints one call may ask for (periods in the range). */
export const MAX_DATAPOINTS = 1440;

export async function getMetricStatistics(
  deps: CloudWatchDeps,
  input: GetMetricStatisticsInput,
): Promise<GetMetricStatisticsOutput> {
  const statistics = input.Statistics ?? [];
  const extended = input.ExtendedStatistics ?? [];
  checkRequest(input, statistics, extended, deps.clock.now());
  const parsed = extended.map((name, i) => {
    const statistic = parseStatistic(name);
    if (statistic?.kind !== 'percentile') throw invalidValue(`ExtendedStatistics.member.${i + 1}`, name);
    return statistic;
  });
  const periods = await readPeriods(
    deps,
    {
      namespace: input.Namespace,
      metricName: input.MetricName,
      dimensions: input.Dimensions,
      periodSeconds: input.Period,
      start: input.StartTime,
      end: input.EndTime,
      unit: input.Unit,
    },
    { byUnit: true },
  );
  const datapoints = periods.map(({ start, unit, aggregate }): Datapoint => {
    const point: Datapoint = { Timestamp: new Date(start) };
    for (const name of statistics) {
      const value = statisticOf(aggregate, { kind: 'basic', name });
      if (value !== undefined) point[name] = value;
    }
    const percentiles = percentileValues(aggregate, parsed);
    if (percentiles) point.ExtendedStatistics = percentiles;
    point.Unit = unit as StandardUnit;
    return point;
  });
  return { Label: input.MetricName, Datapoints: datapoints };
}

function percentileValues(
  aggregate: Parameters<typeof statisticOf>[0],
  statistics: readonly ParsedStatistic[],
): Record<string, number> | undefined {
  if (statistics.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const statistic of statistics) {
    const value = statisticOf(aggregate, statistic);
    if (value !== undefined) out[statistic.name] = value;
  }
  return out;
}

function checkRequest(
  input: GetMetricStatisticsInput,
  statistics: readonly string[],
  extended: readonly string[],
  now: Date,
): void {
  if (statistics.length === 0 && extended.length === 0) {
    throw new MissingRequiredParameterException('Must specify either Statistics or ExtendedStatistics.');
  }
  if (statistics.length + extended.length > 10) {
    throw new InvalidParameterCombinationException(
      'Must specify at most 10 Statistics and ExtendedStatistics in total.',
    );
  }
  if (input.Period <= 0) throw invalidValue('Period', input.Period);
  if (input.StartTime.getTime() >= input.EndTime.getTime()) {
    throw new InvalidParameterValueException('The parameter StartTime must be less than the parameter EndTime.');
  }
  const broken = periodRuleBroken(input.Period, input.StartTime, now);
  if (broken !== undefined) {
    throw invalidValue('Period', input.Period, `The period must be a multiple of ${broken} for data of this age.`);
  }
  const requested = Math.ceil((input.EndTime.getTime() - input.StartTime.getTime()) / (input.Period * 1000));
  if (requested > MAX_DATAPOINTS) {
    throw new InvalidParameterCombinationException(
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
}
