import type { ComparisonOperator, StateValue } from '../shapes.generated.ts';

/**
 * One evaluation of a metric alarm, as CloudWatch does it at a period boundary: the last
 * EvaluationPeriods complete periods, oldest first, each with its value or missing; M of N
 * breaching (DatapointsToAlarm) alarms. Missing datapoints per TreatMissingData:
 *   missing (default) and ignore: only the present datapoints count (at most M of them needed);
 *     all missing: INSUFFICIENT_DATA for missing, no change for ignore;
 *   breaching / notBreaching: a missing datapoint counts as breaching / not breaching.
 * Pure: no clock, no I/O; reason text and data in CloudWatch's format.
 */
export interface AlarmEvaluationInput {
  readonly comparison: ComparisonOperator;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: string;
  /** What the datapoints are, for StateReasonData: "Average", "p99", or undefined for metric math. */
  readonly statistic: string | undefined;
  readonly periodSeconds: number;
  /** The evaluation range's periods, oldest first: their start (epoch ms) and value, if any. */
  readonly periods: readonly { readonly start: number; readonly value: number | undefined }[];
  /** When the evaluation runs (the boundary), for StateReasonData's queryDate. */
  readonly evaluatedAt: number;
  readonly currentState: StateValue;
}

export interface AlarmEvaluation {
  readonly state: StateValue;
  readonly reason: string;
  readonly reasonData: string;
}

const WORDS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function isBreaching(comparison: ComparisonOperator, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return false;
  }
}

/** The new state, or undefined when the alarm keeps its state (TreatMissingData ignore, all missing). */
export function evaluateAlarm(input: AlarmEvaluationInput): AlarmEvaluation | undefined {
  const present = input.periods.filter((p): p is { start: number; value: number } => p.value !== undefined);
  const missing = input.periods.length - present.length;
  const breaching = present.filter((p) => isBreaching(input.comparison, p.value, input.threshold));
  const mode = input.treatMissingData;
  let state: StateValue;
  if (mode === 'breaching' || mode === 'notBreaching') {
    const count = breaching.length + (mode === 'breaching' ? missing : 0);
    state = count >= input.datapointsToAlarm ? 'ALARM' : 'OK';
  } else if (present.length === 0) {
    if (mode === 'ignore') return undefined;
    state = 'INSUFFICIENT_DATA';
  } else {
    state = breaching.length >= Math.min(input.datapointsToAlarm, present.length) ? 'ALARM' : 'OK';
  }
  return {
    state,
    reason: reasonText(input, state, { present, breaching: breaching.length }),
    reasonData: reasonData(input, present),
  };
}

function reasonText(
  input: AlarmEvaluationInput,
  state: StateValue,
  counts: { present: readonly { start: number; value: number }[]; breaching: number },
): string {
  if (state === 'INSUFFICIENT_DATA') {
    const n = input.periods.length;
    return `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`;
  }
  // Newest first, as CloudWatch lists them.
  const shown = [...counts.present].reverse();
  const list = shown.map((p) => `${javaDouble(p.value)} (${reasonDate(p.start)})`).join(', ');
  const words = WORDS[input.comparison] ?? input.comparison;
  const not = state === 'OK' ? 'not ' : '';
  const threshold = `the threshold (${javaDouble(input.threshold)})`;
  if (input.periods.length === 1 && shown.length === 1) {
    return `Threshold Crossed: 1 datapoint [${list}] was ${not}${words} ${threshold}.`;
  }
  const counted = state === 'ALARM' ? counts.breaching : shown.length - counts.breaching;
  const transition =
    state === 'ALARM'
      ? ` (minimum ${input.datapointsToAlarm} datapoint${input.datapointsToAlarm === 1 ? '' : 's'} for OK -> ALARM transition)`
      : ` (minimum ${input.evaluationPeriods - input.datapointsToAlarm + 1} datapoint${input.evaluationPeriods - input.datapointsToAlarm + 1 === 1 ? '' : 's'} for ALARM -> OK transition)`;
  return `Threshold Crossed: ${counted} out of the last ${input.periods.length} datapoints [${list}] ${counted === 1 ? 'was' : 'were'} ${not}${words} ${threshold}${transition}.`;
}

function reasonData(input: AlarmEvaluationInput, present: readonly { start: number; value: number }[]): string {
  const newest = [...present].reverse();
  return JSON.stringify({
    version: '1.0',
    queryDate: isoWithOffset(input.evaluatedAt),
    startDate: isoWithOffset(input.periods[0]?.start ?? input.evaluatedAt),
    ...(input.statistic === undefined ? {} : { statistic: input.statistic }),
    period: input.periodSeconds,
    recentDatapoints: newest.map((p) => p.value),
    threshold: input.threshold,
    evaluatedDatapoints: newest.map((p) => ({ timestamp: isoWithOffset(p.start), value: p.value })),
  });
}

/** A double as Java prints it (CloudWatch's reasons): 95.0, 0.5, 1.0E10. */
export function javaDouble(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return `${value}.0`;
  return String(value);
}

/** dd/MM/yy HH:mm:ss in UTC, as CloudWatch's reasons date datapoints. */
export function reasonDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** 2026-12-04T10:21:00.000+0000, the form of StateReasonData's dates. */
export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
