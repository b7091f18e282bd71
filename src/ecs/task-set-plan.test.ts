import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computedDesiredCount, planTaskSets, type PlanTaskSet } from './task-set-plan.ts';
import type { PlanTask } from './service-plan.ts';

function task(id: string, deployment: string, over: Partial<PlanTask> = {}): PlanTask {
  return { id, deployment, lastStatus: 'RUNNING', healthy: true, unhealthy: false, createdAt: 0, ...over };
}

const set = (id: string, count: number, draining = false): PlanTaskSet => ({
  id,
  computedDesiredCount: count,
  draining,
});

describe('computedDesiredCount', () => {
  const cases: [number, number, number][] = [
    [4, 100, 4],
    [4, 50, 2],
    [3, 50, 2], // 1.5 → 2
    [1, 1, 1], // 0.01 → 1
    [5, 0, 0],
    [0, 100, 0],
    [10, 33.3, 4], // 3.33 → 4
  ];
  for (const [desired, scale, expected] of cases)
    it(`${desired} tasks x ${scale}% = ${expected}`, () =>
      assert.equal(computedDesiredCount(desired, scale), expected));
});

describe('planTaskSets', () => {
  it('starts what each set lacks', () => {
    const plan = planTaskSets([set('blue', 2), set('green', 1)], [task('a', 'blue')], { draining: false });
    assert.deepEqual(plan.start, [
      { taskSet: 'blue', count: 1 },
      { taskSet: 'green', count: 1 },
    ]);
    assert.deepEqual(plan.stop, []);
    assert.deepEqual([...plan.steady], []);
  });

  it('scales a set in, pending tasks first, and is steady at its count', () => {
    const tasks = [
      task('a', 'blue', { createdAt: 1 }),
      task('b', 'blue', { createdAt: 2, lastStatus: 'PENDING', healthy: false }),
      task('c', 'green'),
    ];
    const plan = planTaskSets([set('blue', 1), set('green', 1)], tasks, { draining: false });
    assert.deepEqual(plan.stop, [{ id: 'b', reason: 'Scaling activity initiated by (deployment blue)' }]);
    assert.deepEqual([...plan.steady], ['green']);
  });

  it('replaces an unhealthy task', () => {
    const plan = planTaskSets([set('blue', 1)], [task('a', 'blue', { unhealthy: true, healthy: false })], {
      draining: false,
    });
    assert.equal(plan.stop.length, 1);
    assert.deepEqual(plan.start, [{ taskSet: 'blue', count: 1 }]);
  });

  it('drains a deleted set: its tasks stop (protected ones too), then it is gone', () => {
    const tasks = [task('a', 'blue', { protected: true }), task('b', 'blue')];
    const plan = planTaskSets([set('blue', 0, true)], tasks, { draining: false });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['a', 'b'],
    );
    assert.deepEqual(planTaskSets([set('blue', 0, true)], [], { draining: false }).gone, ['blue']);
  });

  it('stops tasks of no task set, and everything when the service is deleted', () => {
    const plan = planTaskSets([set('blue', 1)], [task('x', 'gone'), task('a', 'blue')], { draining: true });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['x', 'a'],
    );
    assert.deepEqual(plan.start, []);
  });

  it('a set at 0% with no task is steady', () => {
    assert.deepEqual([...planTaskSets([set('green', 0)], [], { draining: false }).steady], ['green']);
  });
});
