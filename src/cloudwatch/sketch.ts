/**
 * A bounded percentile sketch (DDSketch's log-bucketed histogram): a value v > 0 counts in bin
 * ceil(log_gamma(v)), so any quantile it answers is within 1% of a true sample value, whatever
 * the range. Negative values have bins of their own, zeros a counter. At most MAX_BINS bins per
 * sign: past that the bins nearest zero are folded together, which keeps the upper percentiles
 * (those alarms read) exact to 1%. The store keeps it packed (packed-buckets.ts); the JSON form
 * here is what the rows before migration 0027 held.
 */

const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Below this magnitude a value counts as zero. */
const MIN_MAGNITUDE = 1e-12;
export const MAX_BINS = 512;

export interface Sketch {
  /** bin index → count, for positive values. */
  readonly positive: Map<number, number>;
  /** bin index of |v| → count, for negative values. */
  readonly negative: Map<number, number>;
  zeros: number;
}

export function emptySketch(): Sketch {
  return { positive: new Map(), negative: new Map(), zeros: 0 };
}

export function sketchCount(sketch: Sketch): number {
  let total = sketch.zeros;
  for (const count of sketch.positive.values()) total += count;
  for (const count of sketch.negative.values()) total += count;
  return total;
}

/** Adds `count` samples of `value`. */
export function addToSketch(sketch: Sketch, value: number, count = 1): void {
  if (count <= 0) return;
  const magnitude = Math.abs(value);
  if (magnitude < MIN_MAGNITUDE) {
    sketch.zeros += count;
    return;
  }
  const bins = value > 0 ? sketch.positive : sketch.negative;
  const index = Math.ceil(Math.log(magnitude) / LOG_GAMMA);
  bins.set(index, (bins.get(index) ?? 0) + count);
  if (bins.size > MAX_BINS) collapse(bins);
}

export function mergeSketches(into: Sketch, from: Sketch): void {
  into.zeros += from.zeros;
  for (const [index, count] of from.positive) into.positive.set(index, (into.positive.get(index) ?? 0) + count);
  for (const [index, count] of from.negative) into.negative.set(index, (into.negative.get(index) ?? 0) + count);
  if (into.positive.size > MAX_BINS) collapse(into.positive);
  if (into.negative.size > MAX_BINS) collapse(into.negative);
}

/** Folds the smallest-magnitude bins into one until MAX_BINS remain. */
function collapse(bins: Map<number, number>): void {
  const indexes = [...bins.keys()].sort((a, b) => a - b);
  const excess = indexes.length - MAX_BINS;
  const target = indexes[excess]!;
  let folded = 0;
  for (const index of indexes.slice(0, excess)) {
    folded += bins.get(index)!;
    bins.delete(index);
  }
  bins.set(target, bins.get(target)! + folded);
}

/** The value at quantile q (0..1) by nearest rank, or undefined for an empty sketch. */
export function sketchQuantile(sketch: Sketch, q: number): number | undefined {
  const total = sketchCount(sketch);
  if (total === 0) return undefined;
  // Nearest rank: the smallest value with at least ceil(q * n) samples at or below it.
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  const negatives = [...sketch.negative.entries()].sort((a, b) => b[0] - a[0]);
  for (const [index, count] of negatives) {
    seen += count;
    if (seen >= rank) return -binValue(index);
  }
  seen += sketch.zeros;
  if (seen >= rank) return 0;
  const positives = [...sketch.positive.entries()].sort((a, b) => a[0] - b[0]);
  for (const [index, count] of positives) {
    seen += count;
    if (seen >= rank) return binValue(index);
  }
  return binValue(positives.at(-1)?.[0] ?? 0);
}

/** The bin's representative value: within RELATIVE_ACCURACY of every value in it. */
function binValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

export function serializeSketch(sketch: Sketch): string {
  return JSON.stringify({ p: [...sketch.positive], n: [...sketch.negative], z: sketch.zeros });
}

/** Reads what serializeSketch wrote; anything else (an older or damaged row) is an empty sketch. */
export function parseSketch(text: string): Sketch {
  const sketch = emptySketch();
  if (text === '') return sketch;
  try {
    const raw = JSON.parse(text) as { p?: unknown; n?: unknown; z?: unknown };
    for (const [bins, list] of [
      [sketch.positive, raw.p],
      [sketch.negative, raw.n],
    ] as const) {
      if (!Array.isArray(list)) continue;
      for (const pair of list as unknown[]) {
        if (Array.isArray(pair) && typeof pair[0] === 'number' && typeof pair[1] === 'number')
          bins.set(pair[0], pair[1]);
      }
    }
    sketch.zeros = typeof raw.z === 'number' ? raw.z : 0;
  } catch {
    return emptySketch();
  }
  return sketch;
}
