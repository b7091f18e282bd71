import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  applyReportedStatus,
  canTransition,
  IllegalTransitionError,
  initialStatus,
  pendingAndRunning,
  requestStop,
  TASK_STATUSES,
  transition,
  type TaskState,
} from './task-lifecycle.ts';

describe('task lifecycle', () => {
  it('starts awsvpc tasks in PROVISIONING and others in PENDING', () => {
    assert.equal(initialStatus('awsvpc'), 'PROVISIONING');
    assert.equal(initialStatus('bridge'), 'PENDING');
    assert.equal(initialStatus(undefined), 'PENDING');
  });

  it('only moves forward, and STOPPED is final', () => {
    assert.ok(canTransition('PENDING', 'RUNNING'));
    assert.ok(canTransition('PENDING', 'STOPPED'));
    assert.ok(!canTransition('RUNNING', 'PENDING'));
    for (const to of TASK_STATUSES.filter((s) => s !== 'STOPPED')) assert.ok(!canTransition('STOPPED', to));
    assert.throws(
      () => transition({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }, 'RUNNING'),
      IllegalTransitionError,
    );
  });

  it('ignores stale reports and stops wanting RUNNING once STOPPED', () => {
    const running: TaskState = { lastStatus: 'RUNNING', desiredStatus: 'RUNNING' };
    assert.deepEqual(applyReportedStatus(running, 'PENDING'), running);
    assert.deepEqual(applyReportedStatus(running, 'STOPPED'), { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    assert.deepEqual(requestStop(running), { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' });
  });

  it('never moves backwards whatever the order of reports (property)', () => {
    const status = fc.constantFrom(...TASK_STATUSES);
    fc.assert(
      fc.property(fc.array(status, { maxLength: 20 }), (reports) => {
        let state: TaskState = { lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' };
        for (const reported of reports) {
          const next = applyReportedStatus(state, reported);
          assert.ok(TASK_STATUSES.indexOf(next.lastStatus) >= TASK_STATUSES.indexOf(state.lastStatus));
          if (state.desiredStatus === 'STOPPED') assert.equal(next.desiredStatus, 'STOPPED');
          state = next;
        }
      }),
    );
  });

  it('counts PROVISIONING, PENDING and ACTIVATING as pending', () => {
    const counts = new Map([
      ['PROVISIONING', 1],
      ['PENDING', 2],
      ['ACTIVATING', 1],
      ['RUNNING', 5],
      ['STOPPING', 1],
    ]);
    assert.deepEqual(pendingAndRunning(counts), { pending: 4, running: 5 });
  });
});
