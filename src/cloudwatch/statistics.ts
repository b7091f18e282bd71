import { addToSketch, emptySketch, mergeSketches, sketchCount, sketchQuantile, type Sketch } from './sketch.ts';

/**
 * What CloudWatch keeps of the datapoints in one bucket, and the statistics it answers from it:
 * SampleCount, Sum, Minimum, Maximum, Average, and percentiles (pNN, pNN.NN) from the sketch.
 * A percentile is answered only when every sample is in the sketch: a statistic set
 * (StatisticValues) brings counts and sums but no distribution, as with CloudWatch, which then
 * has no percentiles for that period.
 */
export interface Aggregate {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  readonly sketch: Sketch;
}

export type BasicStatistic = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum';

export type ParsedStatistic =
  | { readonly kind: 'basic'; readonly name: BasicStatistic }
  | { readonly kind: 'percentile'; readonly name: string; readonly quantile: number };

const BASIC: readonly string[] = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$/;

/** A Stat or ExtendedStatistic as CloudWatch names them; undefined if Berth does not compute it. */
export function parseStatistic(text: string): ParsedStatistic | undefined {
  if (BASIC.includes(text)) return { kind: 'basic', name: text as BasicStatistic };
  const match = PERCENTILE.exec(text);
  if (!match) return undefined;
  return { kind: 'percentile', name: text, quantile: Number(match[1]) / 100 };
}

export function emptyAggregate(): Aggregate {
  return {
    sampleCount: 0,
    sum: 0,
    minimum: Number.POSITIVE_INFINITY,
    maximum: Number.NEGATIVE_INFINITY,
    sketch: emptySketch(),
  };
}

/** Adds `count` samples of `value` (one Value, or one of Values with its Count). */
export function addValue(aggregate: Aggregate, value: number, count = 1): void {
  aggregate.sampleCount += count;
  aggregate.sum += value * count;
  aggregate.minimum = Math.min(aggregate.minimum, value);
  aggregate.maximum = Math.max(aggregate.maximum, value);
  addToSketch(aggregate.sketch, value, count);
}

/** Adds a statistic set: counts and extremes, no distribution. */
export function addStatisticSet(
  aggregate: Aggregate,
  set: { SampleCount: number; Sum: number; Minimum: number; Maximum: number },
): void {
  aggregate.sampleCount += set.SampleCount;
  aggregate.sum += set.Sum;
  aggregate.minimum = Math.min(aggregate.minimum, set.Minimum);
  aggregate.maximum = Math.max(aggregate.maximum, set.Maximum);
}

export function mergeAggregate(into: Aggregate, from: Aggregate): void {
  into.sampleCount += from.sampleCount;
  into.sum += from.sum;
  into.minimum = Math.min(into.minimum, from.minimum);
  into.maximum = Math.max(into.maximum, from.maximum);
  mergeSketches(into.sketch, from.sketch);
}

/** The statistic's value, or undefined when there is none (no samples; a percentile without a distribution). */
export function statisticOf(aggregate: Aggregate, statistic: ParsedStatistic): number | undefined {
  if (aggregate.sampleCount <= 0) return undefined;
  if (statistic.kind === 'percentile') {
    // Within 1e-9 of the count: counts are sums of doubles.
    if (Math.abs(sketchCount(aggregate.sketch) - aggregate.sampleCount) > 1e-9 * aggregate.sampleCount)
      return undefined;
    const value = sketchQuantile(aggregate.sketch, statistic.quantile);
    // The sketch is 1% accurate; the extremes are exact.
    return value === undefined ? undefined : Math.min(aggregate.maximum, Math.max(aggregate.minimum, value));
  }
  switch (statistic.name) {
    case 'SampleCount':
      return aggregate.sampleCount;
    case 'Sum':
      return aggregate.sum;
    case 'Minimum':
      return aggregate.minimum;
    case 'Maximum':
      return aggregate.maximum;
    case 'Average':
      return aggregate.sum / aggregate.sampleCount;
  }
}
