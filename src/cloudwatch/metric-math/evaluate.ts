import { callFunction } from './functions.ts';
import { ExpressionError, type Node } from './parse.ts';
import { mapPoints, scalar, type Series, type Value } from './values.ts';

/** What an expression is evaluated against: the other queries' results and the time range. */
export interface EvaluationContext {
  /** Another query's value by Id; undefined if there is none. */
  resolve(id: string): Value | undefined;
  /** Every MetricStat query's series, for METRICS(). */
  metrics(): readonly Series[];
  readonly startMs: number;
  readonly endMs: number;
  /** The period for series an expression makes from nothing (TIME_SERIES of a scalar). */
  readonly defaultPeriod: number;
}

export function evaluate(node: Node, context: EvaluationContext): Value {
  switch (node.kind) {
    case 'number':
      return scalar(node.value);
    case 'string':
      return { kind: 'text', text: node.value };
    case 'name': {
      const value = context.resolve(node.name);
      // FILL's REPEAT and LINEAR are keywords, unless a query has that Id.
      if (value === undefined && (node.name === 'REPEAT' || node.name === 'LINEAR')) {
        return { kind: 'text', text: node.name };
      }
      if (value === undefined) throw new ExpressionError(`Unrecognized metric or expression id: ${node.name}.`);
      return value;
    }
    case 'array': {
      const series: Series[] = [];
      for (const item of node.items) {
        const value = evaluate(item, context);
        if (value.kind === 'series') series.push(value.series);
        else if (value.kind === 'array') series.push(...value.series);
        else throw new ExpressionError('An array may hold only time series.');
      }
      return { kind: 'array', series };
    }
    case 'call':
      return callFunction(
        node.name,
        node.args.map((arg) => evaluate(arg, context)),
        context,
      );
    case 'unary':
      return unary(node.op, evaluate(node.operand, context));
    case 'binary':
      return binary(node.op, evaluate(node.left, context), evaluate(node.right, context));
  }
}

function unary(op: string, value: Value): Value {
  const fn = op === '-' ? (x: number) => -x : op === 'NOT' ? (x: number) => (x === 0 ? 1 : 0) : (x: number) => x;
  return pointwise(value, fn);
}

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => Math.pow(a, b),
  '==': (a, b) => Number(a === b),
  '!=': (a, b) => Number(a !== b),
  '<': (a, b) => Number(a < b),
  '<=': (a, b) => Number(a <= b),
  '>': (a, b) => Number(a > b),
  '>=': (a, b) => Number(a >= b),
  AND: (a, b) => Number(a !== 0 && b !== 0),
  OR: (a, b) => Number(a !== 0 || b !== 0),
};

/** Pointwise for one operand: a scalar, each point of a series, each series of an array. */
export function pointwise(value: Value, fn: (x: number) => number): Value {
  switch (value.kind) {
    case 'scalar':
      return scalar(fn(value.value));
    case 'series':
      return { kind: 'series', series: mapPoints(value.series, fn) };
    case 'array':
      return { kind: 'array', series: value.series.map((s) => mapPoints(s, fn)) };
    case 'text':
      throw new ExpressionError('A string is not a number.');
  }
}

/**
 * Scalar with anything: applied to each point. Series with series: at the timestamps both have
 * (a missing datapoint on either side is missing in the result). An array with a series or a
 * scalar: each of its series; two arrays: series by position, of the same length.
 */
export function binary(op: string, left: Value, right: Value): Value {
  const fn = BINARY[op];
  if (!fn) throw new ExpressionError(`Unknown operator ${op}.`);
  if (left.kind === 'text' || right.kind === 'text') throw new ExpressionError('A string is not a number.');
  if (left.kind === 'scalar' && right.kind === 'scalar') return scalar(fn(left.value, right.value));
  if (left.kind === 'scalar') return pointwise(right, (x) => fn(left.value, x));
  if (right.kind === 'scalar') return pointwise(left, (x) => fn(x, right.value));
  if (left.kind === 'series' && right.kind === 'series') {
    return { kind: 'series', series: combine(left.series, right.series, fn) };
  }
  if (left.kind === 'array' && right.kind === 'array') {
    if (left.series.length !== right.series.length) {
      throw new ExpressionError('Arrays of time series in one operation must have the same length.');
    }
    return { kind: 'array', series: left.series.map((s, i) => combine(s, right.series[i]!, fn)) };
  }
  if (left.kind === 'array') {
    const other = (right as { series: Series }).series;
    return { kind: 'array', series: left.series.map((s) => combine(s, other, fn)) };
  }
  const other = (left as { series: Series }).series;
  return { kind: 'array', series: (right as { series: readonly Series[] }).series.map((s) => combine(other, s, fn)) };
}

function combine(a: Series, b: Series, fn: (x: number, y: number) => number): Series {
  const points = new Map<number, number>();
  for (const [time, x] of a.points) {
    const y = b.points.get(time);
    if (y === undefined) continue;
    const out = fn(x, y);
    if (Number.isFinite(out)) points.set(time, out);
  }
  return { label: a.label, period: Math.max(a.period, b.period), points };
}
