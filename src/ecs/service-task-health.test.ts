import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store/index.ts';
import { LOST_AGENT_REASON, MIN_RUNNING_MS, planTask, type PlanContext } from './service-task-health.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

function task(body: Record<string, unknown>, fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: 't1',
    cluster: 'c',
    arn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1',
    family: 'web',
    containerInstance: 'ci-1',
    launchType: 'EC2',
    startedBy: 'ecs-svc/1',
    group: 'service:web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date(NOW.getTime() - 60_000),
    reservation: {} as never,
    body,
    ...fields,
  };
}

const at = (overrides: Partial<PlanContext> = {}): PlanContext => ({
  now: NOW,
  primary: 'ecs-svc/1',
  draining: new Set(),
  graceMs: 0,
  lost: () => false,
  targets: undefined,
  ...overrides,
});
const startedAgo = (ms: number) => ({ startedAt: NOW.getTime() - ms });

describe('how the service scheduler sees a task', () => {
  it('counts a new task healthy only once it has run MIN_RUNNING_MS, and with passing checks', () => {
    assert.equal(planTask(task(startedAgo(MIN_RUNNING_MS - 1)), at()).healthy, false);
    assert.equal(planTask(task(startedAgo(MIN_RUNNING_MS)), at()).healthy, true);
    const checked = { ...startedAgo(10_000), containers: [{ healthStatus: 'UNKNOWN' }] };
    assert.equal(planTask(task({ ...checked, healthStatus: 'UNKNOWN' }), at()).healthy, false);
    assert.equal(planTask(task({ ...checked, healthStatus: 'HEALTHY' }), at()).healthy, true);
  });

  it('replaces an unhealthy task only after the grace period', () => {
    const sick = task({ ...startedAgo(5_000), healthStatus: 'UNHEALTHY' });
    assert.equal(planTask(sick, at({ graceMs: 10_000 })).unhealthy, false);
    assert.deepEqual(
      { ...planTask(sick, at({ graceMs: 4_000 })) },
      {
        id: 't1',
        deployment: 'ecs-svc/1',
        lastStatus: 'RUNNING',
        healthy: false,
        unhealthy: true,
        unhealthyReason: 'Task failed container health checks',
        createdAt: NOW.getTime() - 60_000,
      },
    );
  });

  it('follows its load balancer targets: pending is not healthy, unhealthy is replaced with ELB words', () => {
    const running = task(startedAgo(10_000));
    const targets = (verdict: 'healthy' | 'pending' | 'unhealthy') =>
      new Map([['t1', { verdict, ...(verdict === 'unhealthy' ? { reason: 'Task failed ELB health checks' } : {}) }]]);
    assert.equal(planTask(running, at({ targets: targets('pending') })).healthy, false);
    assert.equal(planTask(running, at({ targets: targets('healthy') })).healthy, true);
    const failing = planTask(running, at({ targets: targets('unhealthy') }));
    assert.equal(failing.unhealthyReason, 'Task failed ELB health checks');
  });

  it('replaces the tasks of an instance whose agent stopped answering, and counts drained ones as old', () => {
    const lost = planTask(task(startedAgo(10_000)), at({ lost: (i) => i === 'ci-1' }));
    assert.equal(lost.unhealthy, true);
    assert.equal(lost.unhealthyReason, LOST_AGENT_REASON);
    assert.equal(planTask(task(startedAgo(10_000)), at({ draining: new Set(['ci-1']) })).deployment, undefined);
  });
});
