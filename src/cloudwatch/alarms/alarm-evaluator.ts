import type { CloudWatchDeps } from '../deps.ts';
import { evaluateQueries } from '../metric-queries.ts';
import { metricStatSeries } from '../metric-stat.ts';
import type { Series } from '../metric-math/index.ts';
import { alarmPeriod, storedAlarm, type StoredAlarm } from './alarm-record.ts';
import { changeAlarmState } from './alarm-state.ts';
import { evaluateAlarm } from './evaluate-alarm.ts';

const SCAN = 500;

/**
 * One pass of the alarm evaluator: each alarm whose period boundary has passed since it was last
 * evaluated is evaluated over its last EvaluationPeriods complete periods (evaluate-alarm.ts), and
 * its state changed when the result differs. Run every few seconds by cmd/; an alarm is evaluated
 * once per period, at the first pass after each boundary, as CloudWatch evaluates on the boundary.
 */
export async function evaluateAlarms(deps: CloudWatchDeps): Promise<{ evaluated: number; changed: number }> {
  let after: string | undefined;
  let evaluated = 0;
  let changed = 0;
  for (;;) {
    const records = await deps.store.cloudWatch.listAlarms({ ...(after === undefined ? {} : { after }), limit: SCAN });
    for (const record of records) {
      const outcome = await evaluateOne(deps, storedAlarm(record));
      if (outcome !== 'skipped') evaluated++;
      if (outcome === 'changed') changed++;
    }
    if (records.length < SCAN) break;
    after = records.at(-1)!.name;
  }
  return { evaluated, changed };
}

async function evaluateOne(deps: CloudWatchDeps, alarm: StoredAlarm): Promise<'skipped' | 'same' | 'changed'> {
  const c = alarm.config;
  const periodMs = alarmPeriod(c) * 1000;
  const boundary = Math.floor(deps.clock.now().getTime() / periodMs) * periodMs;
  if (boundary <= alarm.evaluatedUntil) return 'skipped';
  const evaluationPeriods = c.EvaluationPeriods ?? 1;
  const start = boundary - evaluationPeriods * periodMs;
  const series = await alarmSeries(deps, alarm, { start: new Date(start), end: new Date(boundary) });
  const periods = Array.from({ length: evaluationPeriods }, (_, i) => {
    const periodStart = start + i * periodMs;
    return { start: periodStart, value: series?.points.get(periodStart) };
  });
  const result = evaluateAlarm({
    comparison: c.ComparisonOperator!,
    threshold: c.Threshold ?? 0,
    evaluationPeriods,
    datapointsToAlarm: c.DatapointsToAlarm ?? evaluationPeriods,
    treatMissingData: c.TreatMissingData ?? 'missing',
    statistic: c.Statistic ?? c.ExtendedStatistic,
    periodSeconds: periodMs / 1000,
    periods,
    evaluatedAt: boundary,
    currentState: alarm.state.value,
  });
  const next = result ?? { state: alarm.state.value, reason: alarm.state.reason, reasonData: alarm.state.reasonData };
  const transition = await changeAlarmState(deps, c.AlarmName, {
    value: next.state,
    reason: next.reason,
    reasonData: next.reasonData,
    evaluatedUntil: boundary,
  });
  return transition ? 'changed' : 'same';
}

/** The alarm's metric, or its metric math's returned series, over the evaluation range. */
async function alarmSeries(
  deps: CloudWatchDeps,
  alarm: StoredAlarm,
  range: { start: Date; end: Date },
): Promise<Series | undefined> {
  const c = alarm.config;
  try {
    if (c.Metrics) return (await evaluateQueries(deps, c.Metrics, range))[0]?.series;
    return await metricStatSeries(
      deps,
      {
        Metric: { Namespace: c.Namespace!, MetricName: c.MetricName!, Dimensions: c.Dimensions ?? [] },
        Period: c.Period!,
        Stat: (c.Statistic ?? c.ExtendedStatistic)!,
        ...(c.Unit === undefined ? {} : { Unit: c.Unit }),
      },
      { ...range, label: c.MetricName! },
    );
  } catch {
    // A query that cannot be answered (data past retention for its period) is missing data.
    return undefined;
  }
}
