/**
 * What metric math computes with: numbers, time series (sparse: timestamp → value, with the
 * period they were computed at) and arrays of time series.
 */
export interface Series {
  readonly label: string;
  readonly period: number;
  readonly points: ReadonlyMap<number, number>;
}

export type Value =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'series'; readonly series: Series }
  | { readonly kind: 'array'; readonly series: readonly Series[] }
  | { readonly kind: 'text'; readonly text: string };

export function scalar(value: number): Value {
  return { kind: 'scalar', value };
}

export function single(series: Series): Value {
  return { kind: 'series', series };
}

export function sortedTimes(points: ReadonlyMap<number, number>): number[] {
  return [...points.keys()].sort((a, b) => a - b);
}

/** Applies fn to each point; a non-finite result is no datapoint (0/0, 1/0). */
export function mapPoints(series: Series, fn: (value: number, time: number) => number, label = series.label): Series {
  const points = new Map<number, number>();
  for (const [time, value] of series.points) {
    const out = fn(value, time);
    if (Number.isFinite(out)) points.set(time, out);
  }
  return { label, period: series.period, points };
}
