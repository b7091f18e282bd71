import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseTarget,
  chooseWeighted,
  slowStartWeight,
  SLOW_START_FLOOR,
  type TargetLoad,
} from './target-selection.ts';

function loads(...inFlight: number[]): TargetLoad[] {
  return inFlight.map((count) => ({ inFlight: count, weight: 1, credit: 0 }));
}

test('weighted choice follows the weights and never picks weight 0', () => {
  const groups = [
    { name: 'blue', weight: 1 },
    { name: 'off', weight: 0 },
    { name: 'green', weight: 3 },
  ];
  // total 4: [0, 0.25) → blue, [0.25, 1) → green
  assert.equal(chooseWeighted(groups, 0)?.name, 'blue');
  assert.equal(chooseWeighted(groups, 0.24)?.name, 'blue');
  assert.equal(chooseWeighted(groups, 0.25)?.name, 'green');
  assert.equal(chooseWeighted(groups, 0.999999)?.name, 'green');
  assert.equal(chooseWeighted([{ weight: 0 }, { weight: 0 }], 0.5), undefined);
  assert.equal(chooseWeighted([{ weight: 0 }], 0.5), undefined);
});

test('round robin cycles', () => {
  const state = { cursor: 0 };
  const targets = loads(0, 0, 0);
  const picks = Array.from({ length: 6 }, () => chooseTarget(targets, 'round_robin', state));
  assert.deepEqual(picks, [0, 1, 2, 0, 1, 2]);
  assert.equal(chooseTarget([], 'round_robin', state), -1);
});

test('least outstanding requests picks the least busy and spreads ties', () => {
  const state = { cursor: 0 };
  assert.equal(chooseTarget(loads(5, 1, 3), 'least_outstanding_requests', state), 1);
  const idle = loads(0, 0, 0);
  const picks = Array.from({ length: 3 }, () => chooseTarget(idle, 'least_outstanding_requests', state));
  assert.deepEqual(picks.toSorted(), [0, 1, 2]);
});

test('slow start ramps linearly from a floor', () => {
  assert.equal(slowStartWeight(undefined, 1000, 30_000), 1);
  assert.equal(slowStartWeight(0, 1000, 0), 1);
  assert.equal(slowStartWeight(0, 15_000, 30_000), 0.5);
  assert.equal(slowStartWeight(0, 0, 30_000), SLOW_START_FLOOR);
  assert.equal(slowStartWeight(0, 40_000, 30_000), 1);
});

test('round robin with a slow-starting target gives it its share, spread out', () => {
  const state = { cursor: 0 };
  const targets: TargetLoad[] = [
    { inFlight: 0, weight: 1, credit: 0 },
    { inFlight: 0, weight: 0.25, credit: 0 },
  ];
  const counts = [0, 0];
  for (let i = 0; i < 100; i++) counts[chooseTarget(targets, 'round_robin', state)]!++;
  assert.deepEqual(counts, [80, 20]); // 1 : 0.25 over 100 turns
});
