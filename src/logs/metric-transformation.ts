import { InvalidParameterException } from './errors.ts';
import { compileFilterPattern } from './filter-pattern.ts';
import { jsonPatternSelectors, parseSelector, selectValue, type Step } from './json-pattern.ts';
import type { MetricFilterMatchRecord, MetricTransformation } from './shapes.generated.ts';

/*
 * A metric filter's pure half: checking a transformation as PutMetricFilter does, and turning one
 * log message into the metric datum it yields. A matching event gives the metricValue (a number,
 * or a JSON field with `$.selector`) with its dimensions read from the event; an event that does
 * not match gives the defaultValue, if there is one. A `$.` field that is missing or not a number
 * (nor a numeric string), or a dimension field that is missing or not a scalar, yields nothing.
 */

/** A metric filter as a log group's details keep it. */
export interface StoredMetricFilter {
  readonly filterName: string;
  readonly filterPattern: string;
  readonly metricTransformations: readonly MetricTransformation[];
  readonly creationTime: number;
}

export interface FilterMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly unit: string;
  readonly value: number;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

export const MAX_DIMENSIONS = 3;

const NAME_FORBIDDEN = /[:*$]/;

function isJsonPattern(pattern: string): boolean {
  return pattern.trim().startsWith('{');
}

/** `$.a.b` → its steps; a `$name` or `$1` field belongs to space-delimited patterns, refused. */
function fieldSelector(text: string, what: string, pattern: string): Step[] {
  if (!text.startsWith('$.')) {
    throw new InvalidParameterException(
      `${what} '${text}' names a space-delimited field; Berth does not support space-delimited filter patterns yet: use a JSON pattern and $.field.`,
    );
  }
  if (!isJsonPattern(pattern)) {
    throw new InvalidParameterException(
      `${what} '${text}' is a JSON field: the filter pattern must be a JSON pattern.`,
    );
  }
  return parseSelector(text);
}

/** Validates the filter pattern and its one transformation, as PutMetricFilter does. */
export function checkMetricFilter(pattern: string, transformations: readonly MetricTransformation[]): void {
  compileFilterPattern(pattern);
  if (transformations.length !== 1) {
    throw new InvalidParameterException('A metric filter has exactly one metric transformation.');
  }
  const t = transformations[0]!;
  if (t.metricName === '' || NAME_FORBIDDEN.test(t.metricName)) {
    throw new InvalidParameterException(`Invalid metricName '${t.metricName}': it cannot contain ':', '*' or '$'.`);
  }
  if (t.metricNamespace === '' || NAME_FORBIDDEN.test(t.metricNamespace)) {
    throw new InvalidParameterException(
      `Invalid metricNamespace '${t.metricNamespace}': it cannot contain ':', '*' or '$'.`,
    );
  }
  if (t.metricNamespace.startsWith('AWS/')) {
    throw new InvalidParameterException('The AWS/ namespaces are reserved for AWS services.');
  }
  if (t.metricValue.startsWith('$')) fieldSelector(t.metricValue, 'metricValue', pattern);
  else if (!Number.isFinite(Number(t.metricValue)) || t.metricValue.trim() === '') {
    throw new InvalidParameterException(
      `Invalid metricValue '${t.metricValue}': a number, or a $.field of a JSON filter pattern.`,
    );
  }
  const dimensions = Object.entries(t.dimensions ?? {});
  if (dimensions.length > MAX_DIMENSIONS) {
    throw new InvalidParameterException(`A metric transformation has at most ${MAX_DIMENSIONS} dimensions.`);
  }
  if (dimensions.length > 0 && t.defaultValue !== undefined) {
    throw new InvalidParameterException('A metric transformation with dimensions cannot have a defaultValue.');
  }
  for (const [name, value] of dimensions) {
    if (name === '' || name.length > 255) throw new InvalidParameterException(`Invalid dimension name '${name}'.`);
    fieldSelector(value, `Dimension '${name}'`, pattern);
  }
}

/** Compiles a stored (checked) filter into a function from a message to its datum. */
export function compileMetricFilter(filter: StoredMetricFilter): (message: string) => FilterMetric | undefined {
  const matches = compileFilterPattern(filter.filterPattern);
  const t = filter.metricTransformations[0]!;
  const base = { namespace: t.metricNamespace, metricName: t.metricName, unit: t.unit ?? 'None' };
  const dimensions = Object.entries(t.dimensions ?? {}).map(([name, field]) => ({ name, path: parseSelector(field) }));
  const valuePath = t.metricValue.startsWith('$') ? parseSelector(t.metricValue) : undefined;
  const constant = Number(t.metricValue);
  return (message) => {
    if (!matches(message)) {
      return t.defaultValue === undefined ? undefined : { ...base, value: t.defaultValue, dimensions: [] };
    }
    if (valuePath === undefined && dimensions.length === 0) return { ...base, value: constant, dimensions: [] };
    const doc = parseJson(message);
    const value = valuePath === undefined ? constant : numberOf(selectValue(doc, valuePath));
    if (value === undefined) return undefined;
    const resolved: FilterMetric['dimensions'][number][] = [];
    for (const { name, path } of dimensions) {
      const text = scalarText(selectValue(doc, path));
      if (text === undefined || text === '') return undefined;
      resolved.push({ Name: name, Value: text });
    }
    return { ...base, value, dimensions: resolved };
  };
}

/** TestMetricFilter: the messages the pattern matches, numbered from 1, with the JSON fields it tests. */
export function testMetricFilter(pattern: string, messages: readonly string[]): MetricFilterMatchRecord[] {
  const matches = compileFilterPattern(pattern);
  const selectors = isJsonPattern(pattern)
    ? jsonPatternSelectors(pattern.trim()).map((text) => ({ text, path: parseSelector(text) }))
    : [];
  const records: MetricFilterMatchRecord[] = [];
  messages.forEach((message, i) => {
    if (!matches(message)) return;
    const doc = selectors.length > 0 ? parseJson(message) : undefined;
    const extractedValues: Record<string, string> = {};
    for (const { text, path } of selectors) {
      const value = selectValue(doc, path);
      if (value !== undefined) extractedValues[text] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    records.push({ eventNumber: i + 1, eventMessage: message, extractedValues });
  });
  return records;
}

function parseJson(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return undefined;
  }
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
