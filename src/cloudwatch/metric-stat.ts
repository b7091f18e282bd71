import type { CloudWatchDeps } from './deps.ts';
import { invalidValue } from './errors.ts';
import type { Series } from './metric-math/index.ts';
import { readPeriods } from './metric-series.ts';
import { periodRuleBroken } from './resolutions.ts';
import type { MetricStat } from './shapes.generated.ts';
import { parseStatistic, statisticOf } from './statistics.ts';

/** Checks a MetricStat (its Stat and its Period for the data's age); `where` names it in errors. */
export function checkMetricStat(stat: MetricStat, where: string, range: { start: Date; now: Date }): void {
  if (!parseStatistic(stat.Stat)) throw invalidValue(`${where}.Stat`, stat.Stat);
  if (!(stat.Period >= 1)) throw invalidValue(`${where}.Period`, stat.Period);
  const broken = periodRuleBroken(stat.Period, range.start, range.now);
  if (broken !== undefined) {
    throw invalidValue(
      `${where}.Period`,
      stat.Period,
      `The period must be a multiple of ${broken} for data of this age.`,
    );
  }
}

/** A MetricStat's time series over [start, end): one statistic per period with data. */
export async function metricStatSeries(
  deps: CloudWatchDeps,
  stat: MetricStat,
  range: { start: Date; end: Date; label: string },
): Promise<Series> {
  const statistic = parseStatistic(stat.Stat)!;
  const periods = await readPeriods(
    deps,
    {
      namespace: stat.Metric.Namespace ?? '',
      metricName: stat.Metric.MetricName ?? '',
      dimensions: stat.Metric.Dimensions,
      periodSeconds: stat.Period,
      start: range.start,
      end: range.end,
      unit: stat.Unit,
    },
    { byUnit: false },
  );
  const points = new Map<number, number>();
  for (const period of periods) {
    const value = statisticOf(period.aggregate, statistic);
    if (value !== undefined) points.set(period.start, value);
  }
  return { label: range.label, period: stat.Period, points };
}
