import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureThreshold } from './service-circuit-breaker.ts';
import { planService, type PlanInput, type PlanTask } from './service-plan.ts';

const task = (id: string, deployment: string, extra: Partial<PlanTask> = {}): PlanTask => ({
  id,
  deployment,
  lastStatus: 'RUNNING',
  healthy: true,
  unhealthy: false,
  createdAt: Number(id.replace(/\D/g, '')) || 0,
  ...extra,
});
const base: PlanInput = {
  desiredCount: 3,
  maximumPercent: 200,
  minimumHealthyPercent: 100,
  circuitBreaker: false,
  draining: false,
  deployments: [{ id: 'new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 0 }],
  tasks: [],
};

describe('service plan (ECS rolling-update arithmetic)', () => {
  it('starts the missing tasks and is steady once they run healthy', () => {
    assert.equal(planService(base).start, 3);
    const running = { ...base, tasks: [task('t1', 'new'), task('t2', 'new'), task('t3', 'new')] };
    const plan = planService(running);
    assert.equal(plan.start, 0);
    assert.equal(plan.rollout, 'COMPLETED');
    assert.ok(plan.steady);
  });

  it('scales in, stopping pending tasks first, then the newest', () => {
    const plan = planService({
      ...base,
      desiredCount: 1,
      tasks: [task('t1', 'new'), task('t2', 'new'), task('t3', 'new', { lastStatus: 'PENDING', healthy: false })],
    });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['t3', 't2'],
    );
  });

  it('never scales in a protected task: the surplus left is kept until its protection ends', () => {
    const tasks = [task('t1', 'new'), task('t2', 'new', { protected: true }), task('t3', 'new', { protected: true })];
    // 3 running, 1 desired: 2 surplus, but only t1 may go; the service stays at 2 and is not steady.
    const plan = planService({ ...base, desiredCount: 1, tasks });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['t1'],
    );
    assert.equal(plan.start, 0);
    assert.equal(plan.steady, false);
  });

  it('keeps a protected task of an older deployment running: the rollout waits for it', () => {
    const deployments = [
      { id: 'new', status: 'PRIMARY' as const, rolloutState: 'IN_PROGRESS' as const, failedTasks: 0 },
      { id: 'old', status: 'ACTIVE' as const, rolloutState: 'COMPLETED' as const, failedTasks: 0 },
    ];
    const tasks = [task('o1', 'old'), task('o2', 'old', { protected: true }), task('n1', 'new'), task('n2', 'new')];
    const plan = planService({ ...base, desiredCount: 2, deployments, tasks });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['o1'],
    );
    assert.deepEqual(plan.retire, []);
    assert.equal(plan.rollout, undefined);
  });

  it('rolls within maximumPercent and never below minimumHealthyPercent', () => {
    const deployments = [
      { id: 'new', status: 'PRIMARY' as const, rolloutState: 'IN_PROGRESS' as const, failedTasks: 0 },
      { id: 'old', status: 'ACTIVE' as const, rolloutState: 'COMPLETED' as const, failedTasks: 0 },
    ];
    const olds = [task('o1', 'old'), task('o2', 'old'), task('o3', 'old')];
    // 200%: three new ones start next to the three old ones; no old one stops yet.
    let plan = planService({ ...base, deployments, tasks: olds });
    assert.equal(plan.start, 3);
    assert.deepEqual(plan.stop, []);
    // Two new ones healthy: two old ones may go (5 healthy, 3 must stay).
    plan = planService({
      ...base,
      deployments,
      tasks: [
        ...olds,
        task('n4', 'new'),
        task('n5', 'new'),
        task('n6', 'new', { lastStatus: 'PENDING', healthy: false }),
      ],
    });
    assert.equal(plan.stop.length, 2);
    // maximumPercent 100, minimumHealthyPercent 50: one old stops before a new one starts.
    plan = planService({ ...base, maximumPercent: 100, minimumHealthyPercent: 50, deployments, tasks: olds });
    assert.equal(plan.start, 0);
    assert.equal(plan.stop.length, 1);
    // All new ones healthy and no old task left: the old deployment retires, the rollout completes.
    plan = planService({ ...base, deployments, tasks: [task('n4', 'new'), task('n5', 'new'), task('n6', 'new')] });
    assert.deepEqual(plan.retire, ['old']);
    assert.equal(plan.rollout, 'COMPLETED');
  });

  it('replaces unhealthy tasks and trips the circuit breaker at the threshold', () => {
    let plan = planService({ ...base, tasks: [task('t1', 'new', { unhealthy: true, healthy: false })] });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['t1'],
    );
    assert.equal(failureThreshold(1), 3);
    assert.equal(failureThreshold(10), 5);
    assert.equal(failureThreshold(1000), 200);
    plan = planService({
      ...base,
      circuitBreaker: true,
      deployments: [
        { id: 'new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 3 },
        { id: 'old', status: 'ACTIVE', rolloutState: 'COMPLETED', failedTasks: 0 },
      ],
      tasks: [task('o1', 'old')],
    });
    assert.equal(plan.rollout, 'FAILED');
    assert.equal(plan.start, 0);
    assert.deepEqual(plan.stop, [], 'the old tasks stay');
  });

  it('stops everything when the service is being deleted', () => {
    const plan = planService({ ...base, draining: true, tasks: [task('t1', 'new')] });
    assert.deepEqual(
      plan.stop.map((s) => s.id),
      ['t1'],
    );
  });
});
