import type { CloudWatchDeps } from './deps.ts';
import { InvalidParameterValueException, invalidValue } from './errors.ts';
import { evaluate, ExpressionError, parseExpression, type Node, type Series, type Value } from './metric-math/index.ts';
import { checkMetricStat, metricStatSeries } from './metric-stat.ts';
import type { MetricDataQuery } from './shapes.generated.ts';

export const MAX_QUERIES = 500;
const ID = /^[a-z][a-zA-Z0-9_]*$/;

export interface QueryResult {
  readonly id: string;
  readonly label: string;
  readonly series: Series;
}

/**
 * Evaluates MetricDataQueries (GetMetricData, metric math alarms): each MetricStat read once, each
 * Expression parsed once and evaluated on demand by Id (a cycle is an error). Resolves with the
 * series of the queries whose ReturnData is not false, in request order; an expression that
 * yields an array gives one result per series, a number one constant series.
 */
export async function evaluateQueries(
  deps: CloudWatchDeps,
  queries: readonly MetricDataQuery[],
  range: { start: Date; end: Date },
): Promise<QueryResult[]> {
  const now = deps.clock.now();
  checkQueries(queries, { start: range.start, now });
  const parsed = new Map<string, Node>();
  const stats = new Map<string, Series>();
  for (const [i, query] of queries.entries()) {
    if (query.Expression !== undefined) parsed.set(query.Id, parseOrThrow(query));
    else {
      checkMetricStat(query.MetricStat!, `MetricDataQueries.member.${i + 1}.MetricStat`, { start: range.start, now });
      const label = query.Label ?? query.MetricStat!.Metric.MetricName ?? query.Id;
      stats.set(query.Id, await metricStatSeries(deps, query.MetricStat!, { ...range, label }));
    }
  }
  const defaultPeriod = Math.max(60, ...queries.map((q) => q.Period ?? q.MetricStat?.Period ?? 0));
  const values = new Map<string, Value>();
  const evaluating = new Set<string>();
  const resolve = (id: string): Value | undefined => {
    const known = values.get(id);
    if (known) return known;
    const series = stats.get(id);
    if (series) return { kind: 'series', series };
    const node = parsed.get(id);
    if (!node) return undefined;
    if (evaluating.has(id)) throw new ExpressionError(`The expression ${id} refers to itself.`);
    evaluating.add(id);
    const value = evaluate(node, {
      resolve,
      metrics: () => [...stats.values()],
      startMs: range.start.getTime(),
      endMs: range.end.getTime(),
      defaultPeriod,
    });
    evaluating.delete(id);
    values.set(id, value);
    return value;
  };
  const results: QueryResult[] = [];
  for (const query of queries) {
    if (query.ReturnData === false) continue;
    let value: Value;
    try {
      value = resolve(query.Id)!;
    } catch (error) {
      if (error instanceof ExpressionError) {
        throw new InvalidParameterValueException(`Error in expression ${query.Id}: ${error.message}`);
      }
      throw error;
    }
    results.push(...asResults(query, value, { ...range, defaultPeriod }));
  }
  return results;
}

function asResults(
  query: MetricDataQuery,
  value: Value,
  range: { start: Date; end: Date; defaultPeriod: number },
): QueryResult[] {
  const label = query.Label ?? query.Id;
  switch (value.kind) {
    case 'series':
      return [{ id: query.Id, label: query.Label ?? value.series.label, series: value.series }];
    case 'array':
      return value.series.map((series) => ({ id: query.Id, label: query.Label ?? series.label, series }));
    case 'scalar': {
      const period = query.Period ?? range.defaultPeriod;
      const step = period * 1000;
      const points = new Map<number, number>();
      if (Number.isFinite(value.value)) {
        for (let t = Math.floor(range.start.getTime() / step) * step; t < range.end.getTime(); t += step) {
          points.set(t, value.value);
        }
      }
      return [{ id: query.Id, label, series: { label, period, points } }];
    }
    case 'text':
      throw new InvalidParameterValueException(`Error in expression ${query.Id}: the result is a string.`);
  }
}

function parseOrThrow(query: MetricDataQuery): Node {
  try {
    return parseExpression(query.Expression!);
  } catch (error) {
    if (error instanceof ExpressionError) {
      throw new InvalidParameterValueException(`Error in expression ${query.Id}: ${error.message}`);
    }
    throw error;
  }
}

function checkQueries(queries: readonly MetricDataQuery[], range: { start: Date; now: Date }): void {
  if (queries.length > MAX_QUERIES) {
    throw new InvalidParameterValueException(
      `The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`,
    );
  }
  const ids = new Set<string>();
  for (const [i, query] of queries.entries()) {
    const where = `MetricDataQueries.member.${i + 1}`;
    if (!ID.test(query.Id)) {
      throw invalidValue(
        `${where}.Id`,
        query.Id,
        'The Id must start with a lowercase letter and hold only letters, digits and underscores.',
      );
    }
    if (ids.has(query.Id))
      throw new InvalidParameterValueException(`The values for parameter id in MetricDataQueries are not unique.`);
    ids.add(query.Id);
    if ((query.Expression === undefined) === (query.MetricStat === undefined)) {
      throw new InvalidParameterValueException(
        `Exactly one element of the metrics list must have MetricStat or Expression: ${where} has ${query.Expression === undefined ? 'neither' : 'both'}.`,
      );
    }
    if (query.Period !== undefined && !(query.Period >= 1)) throw invalidValue(`${where}.Period`, query.Period);
  }
  void range;
}
