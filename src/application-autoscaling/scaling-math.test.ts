import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clamp, stepCapacity, stepFor, targetTrackingCapacity } from './scaling-math.ts';

describe('targetTrackingCapacity', () => {
  const cases = [
    // 2 tasks at 90% for a 60% target: 2 x 90 / 60 = 3
    { current: 2, metric: 90, target: 60, min: 1, max: 10, expected: 3 },
    // 2 x 70 / 60 = 2.33 → rounded up to 3
    { current: 2, metric: 70, target: 60, min: 1, max: 10, expected: 3 },
    // 4 x 20 / 60 = 1.33 → 2 (scale in, still rounded up)
    { current: 4, metric: 20, target: 60, min: 1, max: 10, expected: 2 },
    // 4 x 300 / 50 = 24 → max 10
    { current: 4, metric: 300, target: 50, min: 1, max: 10, expected: 10 },
    // 3 x 1 / 50 = 0.06 → 1 → min 2
    { current: 3, metric: 1, target: 50, min: 2, max: 10, expected: 2 },
    // exactly on target: 3 x 60 / 60 = 3 (no float drift upward)
    { current: 3, metric: 60, target: 60, min: 0, max: 10, expected: 3 },
    // from 0 with load: counted as 1 → 1 x 120 / 60 = 2
    { current: 0, metric: 120, target: 60, min: 0, max: 10, expected: 2 },
  ];
  for (const c of cases) {
    it(`${c.current} at ${c.metric} for ${c.target} → ${c.expected}`, () => {
      assert.equal(targetTrackingCapacity(c), c.expected);
    });
  }
});

describe('stepFor', () => {
  const steps = [
    { MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
    { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
  ];
  it('finds the interval that holds the breach, lower bound inclusive when positive', () => {
    assert.equal(stepFor(steps, 0)?.ScalingAdjustment, 1); // [0, 10)
    assert.equal(stepFor(steps, 9.9)?.ScalingAdjustment, 1);
    assert.equal(stepFor(steps, 10)?.ScalingAdjustment, 3); // [10, ∞)
    assert.equal(stepFor(steps, 500)?.ScalingAdjustment, 3);
    assert.equal(stepFor(steps, -0.5)?.ScalingAdjustment, -1); // (-∞, 0]
  });
  it('is undefined when no interval holds the breach', () => {
    assert.equal(stepFor([{ MetricIntervalLowerBound: 5, ScalingAdjustment: 1 }], 2), undefined);
  });
});

describe('stepCapacity', () => {
  const base = { min: 0, max: 20 };
  const cases = [
    { current: 2, adjustment: 3, type: 'ChangeInCapacity', expected: 5 },
    { current: 2, adjustment: -5, type: 'ChangeInCapacity', expected: 0 }, // 2 - 5 → min 0
    { current: 2, adjustment: 7, type: 'ExactCapacity', expected: 7 },
    { current: 2, adjustment: 70, type: 'ExactCapacity', expected: 20 }, // → max
    { current: 10, adjustment: 25, type: 'PercentChangeInCapacity', expected: 12 }, // 10 x 25% = 2.5 → 2
    { current: 10, adjustment: -25, type: 'PercentChangeInCapacity', expected: 8 }, // -2.5 → -2
    { current: 2, adjustment: 10, type: 'PercentChangeInCapacity', expected: 3 }, // 0.2 → at least 1
    // 4 x 50% = 2, but MinAdjustmentMagnitude 3 → 4 + 3
    { current: 4, adjustment: 50, type: 'PercentChangeInCapacity', minAdjustmentMagnitude: 3, expected: 7 },
  ] as const;
  for (const c of cases) {
    it(`${c.type} ${c.adjustment} from ${c.current} → ${c.expected}`, () => {
      assert.equal(stepCapacity({ ...base, ...c }), c.expected);
    });
  }
});

it('clamp', () => {
  assert.equal(clamp(5, 1, 3), 3);
  assert.equal(clamp(0, 1, 3), 1);
  assert.equal(clamp(2, 1, 3), 2);
});
