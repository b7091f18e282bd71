import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../store/index.ts';
import {
  CIRCUIT_BREAKER_REASON,
  countFailedTasks,
  deploymentFailedEvent,
  failureThreshold,
  hasTripped,
  isFailedTask,
  type TaskOutcome,
} from './service-circuit-breaker.ts';
import { elbUnhealthyReason } from './service-load-balancing.ts';
import { planService } from './service-plan.ts';
import { LOST_AGENT_REASON, planTask } from './service-task-health.ts';

const GROUP = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
const NOW = new Date('2026-12-01T12:00:00Z');

/** A RUNNING task of deployment ecs-svc/1, started a minute ago, with this health. */
function runningTask(body: Record<string, unknown>): TaskRecord {
  return {
    id: 't1',
    cluster: 'c',
    arn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1',
    family: 'web',
    containerInstance: undefined,
    launchType: 'FARGATE',
    startedBy: 'ecs-svc/1',
    group: 'service:web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date(NOW.getTime() - 60_000),
    reservation: {} as never,
    body: { startedAt: NOW.getTime() - 60_000, ...body },
  };
}

describe('deployment circuit breaker', () => {
  it("trips at ECS's threshold: 0.5 x desired count, rounded up, at least 3 and at most 200", () => {
    const table: [desired: number, threshold: number][] = [
      [0, 3], // 0 -> at least 3
      [1, 3], // 0.5 -> 1 -> at least 3
      [6, 3], // 3
      [7, 4], // 3.5 -> 4
      [10, 5], // 5
      [25, 13], // 12.5 -> 13
      [399, 200], // 199.5 -> 200
      [400, 200], // 200
      [1000, 200], // 500 -> at most 200
    ];
    for (const [desired, threshold] of table) assert.equal(failureThreshold(desired), threshold, `desired ${desired}`);
  });

  it('counts tasks that failed to start or to pass their health checks, not the ones stopped for other reasons', () => {
    const scheduler = (stoppedReason: string): TaskOutcome => ({
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason,
    });
    const table: [what: string, outcome: TaskOutcome, failed: boolean][] = [
      // Stage 1: never RUNNING, or an essential container exited.
      ['failed to start', { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: …' }, true],
      ['essential container exited', { stopCode: 'EssentialContainerExited' }, true],
      // Stage 2: RUNNING, then replaced by the scheduler for failing its health checks.
      ['container health checks', scheduler('Task failed container health checks'), true],
      ['ELB health checks', scheduler(elbUnhealthyReason(GROUP)), true],
      // Not failures of the revision.
      ['scale-in or rollout', scheduler('Scaling activity initiated by (deployment ecs-svc/1)'), false],
      ['service deleted', scheduler('Service is being deleted'), false],
      ['lost agent', scheduler(LOST_AGENT_REASON), false],
      [
        'StopTask, whatever its reason',
        { stopCode: 'UserInitiated', stoppedReason: 'Task failed container health checks' },
        false,
      ],
      ['still running', {}, false],
    ];
    for (const [what, outcome, failed] of table) assert.equal(isFailedTask(outcome), failed, what);
    // 2 + 2 of the 9 above.
    assert.equal(countFailedTasks(table.map(([, outcome]) => outcome)), 4);
  });

  it('counts the stop reasons the scheduler itself gives unhealthy tasks', () => {
    const sick = planTask(runningTask({ healthStatus: 'UNHEALTHY' }), {
      now: NOW,
      primary: 'ecs-svc/1',
      draining: new Set(),
      graceMs: 0,
      lost: () => false,
      targets: undefined,
    });
    const badTarget = planTask(runningTask({}), {
      now: NOW,
      primary: 'ecs-svc/1',
      draining: new Set(),
      graceMs: 0,
      lost: () => false,
      targets: new Map([['t1', { verdict: 'unhealthy', reason: elbUnhealthyReason(GROUP) }]]),
    });
    for (const view of [sick, badTarget]) {
      const plan = planService({
        desiredCount: 1,
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        circuitBreaker: true,
        draining: false,
        deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 0 }],
        tasks: [view],
      });
      assert.equal(plan.stop.length, 1);
      assert.ok(isFailedTask({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: plan.stop[0]!.reason }));
    }
  });

  it('trips while the rollout is in progress, once the failures reach the threshold', () => {
    const table: [what: string, at: Parameters<typeof hasTripped>[0], tripped: boolean][] = [
      // desired 1: threshold 3.
      ['2 of 3', { enabled: true, rolloutState: 'IN_PROGRESS', failedTasks: 2, desiredCount: 1 }, false],
      ['3 of 3', { enabled: true, rolloutState: 'IN_PROGRESS', failedTasks: 3, desiredCount: 1 }, true],
      // desired 10: threshold 5.
      ['4 of 5', { enabled: true, rolloutState: 'IN_PROGRESS', failedTasks: 4, desiredCount: 10 }, false],
      ['5 of 5', { enabled: true, rolloutState: 'IN_PROGRESS', failedTasks: 5, desiredCount: 10 }, true],
      ['disabled', { enabled: false, rolloutState: 'IN_PROGRESS', failedTasks: 50, desiredCount: 1 }, false],
      ['completed rollout', { enabled: true, rolloutState: 'COMPLETED', failedTasks: 50, desiredCount: 1 }, false],
      ['already failed', { enabled: true, rolloutState: 'FAILED', failedTasks: 50, desiredCount: 1 }, false],
    ];
    for (const [what, at, tripped] of table) assert.equal(hasTripped(at), tripped, what);
  });

  it("says so in ECS's words", () => {
    assert.equal(CIRCUIT_BREAKER_REASON, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(
      deploymentFailedEvent('web', 'ecs-svc/1234567890123456789'),
      '(service web) (deployment ecs-svc/1234567890123456789) deployment failed: tasks failed to start.',
    );
  });
});
