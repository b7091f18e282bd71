import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { PlanTask } from './service-plan.ts';
import {
  forwardWeights,
  initialShift,
  nextShift,
  planShiftTasks,
  shiftSettings,
  testTrafficOnGreen,
  type ShiftInput,
  type ShiftSettings,
  type ShiftState,
} from './service-traffic-shift.ts';

const MINUTE = 1000;
const settings = (over: Partial<ShiftSettings> = {}): ShiftSettings => ({
  ...shiftSettings({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }, MINUTE),
  ...over,
});
const input = (state: ShiftState, over: Partial<ShiftInput> = {}): ShiftInput => ({
  state,
  desiredCount: 3,
  greenHealthy: 3,
  greenUnhealthy: false,
  greenFailed: 0,
  circuitBreaker: false,
  blueLeft: 3,
  now: 0,
  ...over,
});

/** Runs passes every `every` ms until the outcome is not IN_PROGRESS; the green shares seen. */
function run(s: ShiftSettings, every: number): { shares: number[]; stages: string[]; at: number } {
  let state = initialShift(0);
  const shares: number[] = [];
  const stages: string[] = [];
  for (let now = 0; now < 1_000_000; now += every) {
    const blueLeft = state.stage === 'CLEAN_UP' ? 0 : 3;
    const step = nextShift(input(state, { now, blueLeft }), s);
    if (shares.at(-1) !== step.state.greenPercent) shares.push(step.state.greenPercent);
    if (stages.at(-1) !== step.state.stage) stages.push(step.state.stage);
    if (step.outcome !== 'IN_PROGRESS') return { shares, stages, at: now };
    state = step.state;
  }
  throw new Error('never completed');
}

describe('testTrafficOnGreen', () => {
  it('moves test traffic to green once it is up, before production, and back on rollback', () => {
    const scaling = nextShift(input(initialShift(0), { greenHealthy: 2 }), settings());
    assert.equal(testTrafficOnGreen(scaling), false);
    const canary = settings({ strategy: 'CANARY', canaryPercent: 10, canaryBakeMinutes: 5 });
    const shifting = nextShift(input(initialShift(0)), canary);
    assert.deepEqual([shifting.state.greenPercent, testTrafficOnGreen(shifting)], [10, true]);
    const failing = nextShift(input(shifting.state, { greenUnhealthy: true }), canary);
    assert.deepEqual([failing.outcome, testTrafficOnGreen(failing)], ['ROLLBACK', false]);
  });
});

describe('nextShift', () => {
  it('waits in SCALE_UP with no production traffic until every green task is healthy', () => {
    const step = nextShift(input(initialShift(0), { greenHealthy: 2 }), settings());
    assert.deepEqual(step, { state: { stage: 'SCALE_UP', greenPercent: 0, since: 0 }, outcome: 'IN_PROGRESS' });
  });

  it('BLUE_GREEN shifts all traffic at once, bakes, cleans up, completes', () => {
    const { shares, stages } = run(settings({ bakeMinutes: 2 }), 100);
    assert.deepEqual(shares, [100]);
    assert.deepEqual(stages, ['BAKE_TIME', 'CLEAN_UP']);
  });

  it('bakes bakeTimeInMinutes with blue still running before CLEAN_UP', () => {
    const baking = { stage: 'BAKE_TIME' as const, greenPercent: 100, since: 0 };
    // 2 minutes of 1000 ms: still baking at 1999, cleaning up at 2000
    assert.equal(nextShift(input(baking, { now: 1999 }), settings({ bakeMinutes: 2 })).state.stage, 'BAKE_TIME');
    assert.equal(nextShift(input(baking, { now: 2000 }), settings({ bakeMinutes: 2 })).state.stage, 'CLEAN_UP');
  });

  it('LINEAR moves stepPercent every stepBakeTimeInMinutes', () => {
    const { shares } = run(settings({ strategy: 'LINEAR', stepPercent: 30, stepBakeMinutes: 1 }), 250);
    assert.deepEqual(shares, [30, 60, 90, 100]);
  });

  it('LINEAR steps of a tenth add up without floating point drift', () => {
    const { shares } = run(settings({ strategy: 'LINEAR', stepPercent: 33.3, stepBakeMinutes: 0 }), 1);
    assert.deepEqual(shares, [33.3, 66.6, 99.9, 100]);
  });

  it('CANARY moves canaryPercent, then the rest after canaryBakeTimeInMinutes', () => {
    const s = settings({ strategy: 'CANARY', canaryPercent: 10, canaryBakeMinutes: 3 });
    const { shares, at } = run(s, 500);
    assert.deepEqual(shares, [10, 100]);
    assert.ok(at >= 3000, `completed at ${at}`);
  });

  it('rolls back to 0% when a green task goes unhealthy while it has traffic', () => {
    const baking = { stage: 'BAKE_TIME' as const, greenPercent: 100, since: 0 };
    const step = nextShift(input(baking, { greenUnhealthy: true }), settings());
    assert.equal(step.outcome, 'ROLLBACK');
    assert.equal(step.state.greenPercent, 0);
  });

  it('replaces (does not roll back for) an unhealthy green task during SCALE_UP', () => {
    const step = nextShift(input(initialShift(0), { greenUnhealthy: true, greenHealthy: 2 }), settings());
    assert.equal(step.outcome, 'IN_PROGRESS');
  });

  it('rolls back when the circuit breaker trips (3 failed tasks for 3 desired)', () => {
    const step = nextShift(input(initialShift(0), { circuitBreaker: true, greenFailed: 3 }), settings());
    assert.equal(step.outcome, 'ROLLBACK');
  });

  it('rolls back to blue when a watched alarm went to ALARM, in every stage before CLEAN_UP', () => {
    const stages: ShiftState[] = [
      initialShift(0),
      { stage: 'SCALE_UP', greenPercent: 0, since: 0 },
      { stage: 'PRODUCTION_TRAFFIC_SHIFT', greenPercent: 40, since: 0 },
      { stage: 'BAKE_TIME', greenPercent: 100, since: 0 },
    ];
    for (const state of stages) {
      const step = nextShift(input(state, { now: 500, alarmsTriggered: ['errors', 'latency'] }), settings());
      assert.deepEqual(step, {
        state: { stage: 'PRODUCTION_TRAFFIC_SHIFT', greenPercent: 0, since: 500 },
        outcome: 'ROLLBACK',
        reason: 'ECS deployment failed: alarm(s) detected: errors, latency.',
        alarms: ['errors', 'latency'],
      });
      assert.equal(testTrafficOnGreen(step), false, `test traffic back on blue from ${state.stage}`);
    }
  });

  it('does not roll back for an alarm once blue is being cleaned up', () => {
    const cleanUp = { stage: 'CLEAN_UP' as const, greenPercent: 100, since: 0 };
    const step = nextShift(input(cleanUp, { alarmsTriggered: ['errors'], blueLeft: 0 }), settings());
    assert.equal(step.outcome, 'COMPLETED');
  });

  it('names the circuit breaker, not the alarms, when both would roll back', () => {
    const step = nextShift(
      input(initialShift(0), { circuitBreaker: true, greenFailed: 3, alarmsTriggered: ['errors'] }),
      settings(),
    );
    assert.equal(step.reason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(step.alarms, undefined);
  });

  it('never moves traffic back or past 100%, and reaches 100% (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BLUE_GREEN' as const, 'LINEAR' as const, 'CANARY' as const),
        fc.integer({ min: 30, max: 1000 }).map((tenths) => tenths / 10),
        fc.integer({ min: 1, max: 1000 }).map((tenths) => tenths / 10),
        fc.integer({ min: 0, max: 5 }),
        (strategy, stepPercent, canaryPercent, minutes) => {
          const s = settings({
            strategy,
            stepPercent,
            canaryPercent,
            stepBakeMinutes: minutes,
            canaryBakeMinutes: minutes,
          });
          const { shares } = run(s, 700);
          for (let i = 1; i < shares.length; i++) assert.ok(shares[i]! > shares[i - 1]!);
          assert.equal(shares.at(-1), 100);
          assert.ok(shares.every((p) => p > 0 && p <= 100));
        },
      ),
    );
  });
});

describe('forwardWeights', () => {
  it('whole percents as percents, tenths as per-mille within 0–999', () => {
    assert.deepEqual(forwardWeights(0), { blue: 100, green: 0 });
    assert.deepEqual(forwardWeights(10), { blue: 90, green: 10 });
    assert.deepEqual(forwardWeights(100), { blue: 0, green: 100 });
    assert.deepEqual(forwardWeights(0.1), { blue: 999, green: 1 });
    assert.deepEqual(forwardWeights(33.3), { blue: 667, green: 333 });
  });
});

describe('planShiftTasks', () => {
  const task = (id: string, deployment: string, over: Partial<PlanTask> = {}): PlanTask => ({
    id,
    deployment,
    lastStatus: 'RUNNING',
    healthy: true,
    unhealthy: false,
    createdAt: 0,
    ...over,
  });
  const blue = [task('b1', 'blue'), task('b2', 'blue'), task('b3', 'blue')];
  const base = { desiredCount: 3, green: 'green', blue: 'blue', olds: ['blue'] };

  it('starts the whole green count at once and keeps blue (no maximumPercent limit)', () => {
    const plan = planShiftTasks({ ...base, tasks: blue }, { state: initialShift(0), outcome: 'IN_PROGRESS' });
    assert.equal(plan.start, 3);
    assert.deepEqual(plan.stop, []);
  });

  it('stops at once the tasks of a deployment superseded while it was shifting', () => {
    const tasks = [...blue, task('s1', 'superseded')];
    const plan = planShiftTasks(
      { ...base, olds: ['superseded', 'blue'], tasks },
      { state: initialShift(0), outcome: 'IN_PROGRESS' },
    );
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['s1'],
    );
  });

  it('replaces an unhealthy green task', () => {
    const tasks = [...blue, task('g1', 'green'), task('g2', 'green', { unhealthy: true })];
    const plan = planShiftTasks({ ...base, tasks }, { state: initialShift(0), outcome: 'IN_PROGRESS' });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['g2'],
    );
    assert.equal(plan.start, 2); // 3 desired - 1 kept
  });

  it('stops every blue task in CLEAN_UP, and retires blue on completion', () => {
    const green = [task('g1', 'green'), task('g2', 'green'), task('g3', 'green')];
    const cleanUp = { stage: 'CLEAN_UP' as const, greenPercent: 100, since: 0 };
    const plan = planShiftTasks({ ...base, tasks: [...blue, ...green] }, { state: cleanUp, outcome: 'IN_PROGRESS' });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['b1', 'b2', 'b3'],
    );
    const done = planShiftTasks({ ...base, tasks: green }, { state: cleanUp, outcome: 'COMPLETED' });
    assert.equal(done.rollout, 'COMPLETED');
    assert.deepEqual(done.retire, ['blue']);
  });
});
