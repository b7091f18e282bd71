import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from './policy-actions.ts';
import type { StoredPolicy } from './records.ts';

const reasonData = (value: number, threshold: number) => JSON.stringify({ recentDatapoints: [value], threshold });
const bounds = { min: 1, max: 10 };
const base = { arn: 'arn', name: 'p', resourceId: 'service/c/s', createdAt: 0 };

describe('decide: step scaling', () => {
  const policy: StoredPolicy = {
    ...base,
    type: 'StepScaling',
    alarms: [],
    step: {
      AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 20, ScalingAdjustment: 4 },
      ],
    },
  };
  const cases = [
    { value: 75, threshold: 70, expected: 3 }, // breach 5 → +1: 2 → 3
    { value: 95, threshold: 70, expected: 6 }, // breach 25 → +4: 2 → 6
    { value: 500, threshold: 0, expected: 6 },
  ];
  for (const c of cases) {
    it(`${c.value} against ${c.threshold} → ${c.expected}`, () => {
      assert.equal(
        decide(policy, bounds, 2, { alarmName: 'a', reasonData: reasonData(c.value, c.threshold) }),
        c.expected,
      );
    });
  }
  it('without a datapoint (SetAlarmState) takes the step that holds a breach of 0', () => {
    assert.equal(decide(policy, bounds, 2, { alarmName: 'a', reasonData: undefined }), 3);
  });
});

describe('decide: target tracking', () => {
  const policy = (disableScaleIn = false): StoredPolicy => ({
    ...base,
    type: 'TargetTrackingScaling',
    targetTracking: { TargetValue: 50, DisableScaleIn: disableScaleIn },
    alarms: [
      { AlarmName: 'TargetTracking-service/c/s-AlarmHigh-1', AlarmARN: 'h' },
      { AlarmName: 'TargetTracking-service/c/s-AlarmLow-1', AlarmARN: 'l' },
    ],
  });
  const high = 'TargetTracking-service/c/s-AlarmHigh-1';
  const low = 'TargetTracking-service/c/s-AlarmLow-1';
  it('scales out to ceil(current × metric / target)', () => {
    // 3 × 80 / 50 = 4.8 → 5
    assert.equal(decide(policy(), bounds, 3, { alarmName: high, reasonData: reasonData(80, 50) }), 5);
  });
  it('scales in on the low alarm, not below min', () => {
    // 4 × 10 / 50 = 0.8 → 1
    assert.equal(decide(policy(), bounds, 4, { alarmName: low, reasonData: reasonData(10, 45) }), 1);
  });
  it('does not scale in when scale-in is disabled, nor act for an alarm it does not own', () => {
    assert.equal(decide(policy(true), bounds, 4, { alarmName: low, reasonData: reasonData(10, 45) }), undefined);
    assert.equal(decide(policy(), bounds, 4, { alarmName: 'other', reasonData: reasonData(99, 45) }), undefined);
  });
  it('the high alarm never scales in', () => {
    // 4 × 51 / 50 = 4.08 → 5; a stale low reading would give less, kept at 4
    assert.equal(decide(policy(), bounds, 4, { alarmName: high, reasonData: reasonData(20, 50) }), 4);
  });
});
