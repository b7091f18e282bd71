import type { EvaluationContext } from './evaluate.ts';
import { pointwise } from './evaluate.ts';
import { ExpressionError } from './parse.ts';
import { scalar, sortedTimes, type Series, type Value } from './values.ts';

/**
 * The metric math functions Berth computes, with CloudWatch's meanings: SUM, AVG, MIN, MAX and
 * STDDEV (over an array: per timestamp; over one series: one number), FILL (a value, REPEAT or
 * LINEAR), IF, ABS, CEIL, FLOOR, SQRT, LOG, LOG10, EXP, RATE, DIFF, DIFF_TIME, RUNNING_SUM,
 * PERIOD, METRICS, TIME_SERIES, REMOVE_EMPTY, FIRST and LAST.
 */
type Fn = (args: readonly Value[], context: EvaluationContext) => Value;

const REDUCERS: Readonly<Record<string, (values: readonly number[]) => number>> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => v.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY),
  MAX: (v) => v.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY),
  STDDEV: (v) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  },
};

const POINTWISE: Readonly<Record<string, (x: number) => number>> = {
  ABS: Math.abs,
  CEIL: Math.ceil,
  FLOOR: Math.floor,
  SQRT: Math.sqrt,
  LOG: Math.log,
  LOG10: Math.log10,
  EXP: Math.exp,
};

const FUNCTIONS: Readonly<Record<string, Fn>> = {
  ...Object.fromEntries(Object.entries(REDUCERS).map(([name, reduce]) => [name, reducer(name, reduce)])),
  ...Object.fromEntries(
    Object.entries(POINTWISE).map(([name, fn]) => [name, (args: readonly Value[]) => pointwise(only(name, args), fn)]),
  ),
  FILL: fill,
  IF: ifFn,
  RATE: (args) => perSeries('RATE', args, (s) => consecutive(s, (dv, dt) => dv / dt)),
  DIFF: (args) => perSeries('DIFF', args, (s) => consecutive(s, (dv) => dv)),
  DIFF_TIME: (args) => perSeries('DIFF_TIME', args, (s) => consecutive(s, (_dv, dt) => dt)),
  RUNNING_SUM: (args) => perSeries('RUNNING_SUM', args, runningSum),
  PERIOD: (args) => {
    const value = only('PERIOD', args);
    if (value.kind === 'series') return scalar(value.series.period);
    if (value.kind === 'array' && value.series[0]) return scalar(value.series[0].period);
    throw new ExpressionError('PERIOD takes a time series.');
  },
  METRICS: (args, context) => {
    const filter = args[0];
    const all = context.metrics();
    if (filter === undefined) return { kind: 'array', series: all };
    if (filter.kind !== 'text') throw new ExpressionError('METRICS takes a string to filter labels by.');
    return { kind: 'array', series: all.filter((s) => s.label.includes(filter.text)) };
  },
  TIME_SERIES: (args, context) => {
    const value = only('TIME_SERIES', args);
    if (value.kind !== 'scalar') throw new ExpressionError('TIME_SERIES takes a number.');
    return { kind: 'series', series: constantSeries(value.value, context.defaultPeriod, context) };
  },
  REMOVE_EMPTY: (args) => {
    const value = only('REMOVE_EMPTY', args);
    if (value.kind !== 'array') return value;
    return { kind: 'array', series: value.series.filter((s) => s.points.size > 0) };
  },
  FIRST: (args) => pick('FIRST', args, (series) => series[0]),
  LAST: (args) => pick('LAST', args, (series) => series.at(-1)),
};

export function callFunction(name: string, args: readonly Value[], context: EvaluationContext): Value {
  const fn = FUNCTIONS[name];
  if (!fn) throw new ExpressionError(`Unsupported function: ${name}.`);
  return fn(args, context);
}

function only(name: string, args: readonly Value[]): Value {
  if (args.length !== 1) throw new ExpressionError(`${name} takes exactly one argument.`);
  return args[0]!;
}

/** Over an array: per timestamp across its series. Over one series: one number for the range. */
function reducer(name: string, reduce: (values: readonly number[]) => number): Fn {
  return (args) => {
    const value = only(name, args);
    if (value.kind === 'series') {
      const values = [...value.series.points.values()];
      return values.length === 0 ? scalar(Number.NaN) : scalar(reduce(values));
    }
    if (value.kind === 'array') {
      const byTime = new Map<number, number[]>();
      for (const series of value.series) {
        for (const [time, v] of series.points) {
          const list = byTime.get(time);
          if (list) list.push(v);
          else byTime.set(time, [v]);
        }
      }
      const points = new Map<number, number>();
      for (const [time, values] of byTime) points.set(time, reduce(values));
      const period = Math.max(0, ...value.series.map((s) => s.period));
      return { kind: 'series', series: { label: name, period, points } };
    }
    if (value.kind === 'scalar') return value;
    throw new ExpressionError(`${name} takes a time series or an array of time series.`);
  };
}

function perSeries(name: string, args: readonly Value[], fn: (series: Series) => Series): Value {
  const value = only(name, args);
  if (value.kind === 'series') return { kind: 'series', series: fn(value.series) };
  if (value.kind === 'array') return { kind: 'array', series: value.series.map(fn) };
  throw new ExpressionError(`${name} takes a time series or an array of time series.`);
}

function pick(name: string, args: readonly Value[], choose: (series: readonly Series[]) => Series | undefined): Value {
  const value = only(name, args);
  if (value.kind !== 'array') throw new ExpressionError(`${name} takes an array of time series.`);
  const chosen = choose(value.series);
  if (!chosen) throw new ExpressionError(`${name} of an empty array.`);
  return { kind: 'series', series: chosen };
}

/** fn(change in value, change in seconds) between each point and the one before it. */
function consecutive(series: Series, fn: (dv: number, dt: number) => number): Series {
  const points = new Map<number, number>();
  const times = sortedTimes(series.points);
  for (let i = 1; i < times.length; i++) {
    const dt = (times[i]! - times[i - 1]!) / 1000;
    const out = fn(series.points.get(times[i]!)! - series.points.get(times[i - 1]!)!, dt);
    if (Number.isFinite(out)) points.set(times[i]!, out);
  }
  return { label: series.label, period: series.period, points };
}

function runningSum(series: Series): Series {
  let total = 0;
  const points = new Map<number, number>();
  for (const time of sortedTimes(series.points)) {
    total += series.points.get(time)!;
    points.set(time, total);
  }
  return { label: series.label, period: series.period, points };
}

/** The period-aligned timestamps of the query's range. */
function timeline(period: number, context: EvaluationContext): number[] {
  const step = Math.max(1, period) * 1000;
  const times: number[] = [];
  for (let t = Math.floor(context.startMs / step) * step; t < context.endMs && times.length < 100_800; t += step) {
    times.push(t);
  }
  return times;
}

function constantSeries(value: number, period: number, context: EvaluationContext): Series {
  return { label: String(value), period, points: new Map(timeline(period, context).map((t) => [t, value])) };
}

/** FILL(series, value | REPEAT | LINEAR): the range's missing datapoints filled in. */
function fill(args: readonly Value[], context: EvaluationContext): Value {
  if (args.length !== 2) throw new ExpressionError('FILL takes a time series and a fill value.');
  const [target, how] = args as [Value, Value];
  const apply = (series: Series): Series => fillSeries(series, how, context);
  if (target.kind === 'series') return { kind: 'series', series: apply(target.series) };
  if (target.kind === 'array') return { kind: 'array', series: target.series.map(apply) };
  throw new ExpressionError('FILL takes a time series or an array of time series.');
}

function fillSeries(series: Series, how: Value, context: EvaluationContext): Series {
  const times = timeline(series.period, context);
  const points = new Map(series.points);
  const mode = how.kind === 'text' ? how.text.toUpperCase() : undefined;
  if (how.kind === 'scalar') {
    for (const t of times) if (!points.has(t)) points.set(t, how.value);
    return { ...series, points };
  }
  if (how.kind === 'series') {
    for (const t of times) {
      const v = how.series.points.get(t);
      if (!points.has(t) && v !== undefined) points.set(t, v);
    }
    return { ...series, points };
  }
  if (mode === 'REPEAT') return { ...series, points: repeat(series, times) };
  if (mode === 'LINEAR') return { ...series, points: linear(series, times) };
  throw new ExpressionError('FILL takes a number, a time series, REPEAT or LINEAR as its fill value.');
}

function repeat(series: Series, times: readonly number[]): Map<number, number> {
  const points = new Map<number, number>();
  let last: number | undefined;
  for (const t of times) {
    last = series.points.get(t) ?? last;
    if (last !== undefined) points.set(t, last);
  }
  return points;
}

function linear(series: Series, times: readonly number[]): Map<number, number> {
  const known = sortedTimes(series.points);
  const points = new Map(series.points);
  let k = 0;
  for (const t of times) {
    if (points.has(t)) continue;
    while (k < known.length && known[k]! < t) k++;
    const before = known[k - 1];
    const after = known[k];
    if (before === undefined || after === undefined) continue;
    const a = series.points.get(before)!;
    const b = series.points.get(after)!;
    points.set(t, a + ((b - a) * (t - before)) / (after - before));
  }
  return points;
}

function ifFn(args: readonly Value[]): Value {
  if (args.length !== 2 && args.length !== 3) throw new ExpressionError('IF takes a condition and one or two values.');
  const [condition, whenTrue, whenFalse] = args as [Value, Value, Value | undefined];
  if (condition.kind === 'scalar') return condition.value !== 0 ? whenTrue : (whenFalse ?? scalar(Number.NaN));
  const apply = (cond: Series): Series => {
    const points = new Map<number, number>();
    for (const [time, c] of cond.points) {
      const chosen = c !== 0 ? whenTrue : whenFalse;
      const value = chosen === undefined ? undefined : valueAt(chosen, time);
      if (value !== undefined && Number.isFinite(value)) points.set(time, value);
    }
    return { label: cond.label, period: cond.period, points };
  };
  if (condition.kind === 'series') return { kind: 'series', series: apply(condition.series) };
  if (condition.kind === 'array') return { kind: 'array', series: condition.series.map(apply) };
  throw new ExpressionError('IF takes a condition that is a number or a time series.');
}

function valueAt(value: Value, time: number): number | undefined {
  if (value.kind === 'scalar') return value.value;
  if (value.kind === 'series') return value.series.points.get(time);
  throw new ExpressionError('IF chooses between numbers or time series.');
}
