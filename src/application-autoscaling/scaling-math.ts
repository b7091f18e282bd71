import type { AdjustmentType, StepAdjustment } from './shapes.generated.ts';

/* The scaling decisions, pure: no clock, store or service. */

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * Target tracking: the capacity that brings the metric to its target, assuming it scales inversely
 * with capacity, rounded up (Application Auto Scaling rounds toward availability), in [min, max].
 * A current capacity of 0 with load asks for 1.
 */
export function targetTrackingCapacity(input: {
  readonly current: number;
  readonly metric: number;
  readonly target: number;
  readonly min: number;
  readonly max: number;
}): number {
  const base = Math.max(input.current, 1);
  const wanted = Math.ceil(base * (input.metric / input.target) - 1e-9);
  return clamp(wanted, input.min, input.max);
}

/**
 * Step scaling: the step adjustment whose interval holds the breach (metric - threshold), where a
 * lower bound is inclusive and an upper bound exclusive (for a negative breach the other way round,
 * as AWS documents), or undefined when none does.
 */
export function stepFor(steps: readonly StepAdjustment[], breach: number): StepAdjustment | undefined {
  return steps.find((step) => {
    const lower = step.MetricIntervalLowerBound ?? -Infinity;
    const upper = step.MetricIntervalUpperBound ?? Infinity;
    return breach >= 0 ? breach >= lower && breach < upper : breach > lower && breach <= upper;
  });
}

/**
 * The capacity a step adjustment asks for: ChangeInCapacity adds, ExactCapacity sets,
 * PercentChangeInCapacity adds the percentage of the current capacity, rounded toward zero (a
 * magnitude under 1 becomes 1), and at least MinAdjustmentMagnitude; the result in [min, max].
 */
export function stepCapacity(input: {
  readonly current: number;
  readonly adjustment: number;
  readonly type: AdjustmentType;
  readonly minAdjustmentMagnitude?: number | undefined;
  readonly min: number;
  readonly max: number;
}): number {
  const { current, adjustment } = input;
  let wanted: number;
  if (input.type === 'ExactCapacity') wanted = adjustment;
  else if (input.type === 'ChangeInCapacity') wanted = current + adjustment;
  else {
    let change = Math.trunc((current * adjustment) / 100);
    if (change === 0 && adjustment !== 0) change = Math.sign(adjustment);
    const least = input.minAdjustmentMagnitude ?? 0;
    if (Math.abs(change) < least) change = Math.sign(adjustment) * least;
    wanted = current + change;
  }
  return clamp(wanted, input.min, input.max);
}
