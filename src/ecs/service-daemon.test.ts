import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daemonRollout } from './service-daemon.ts';
import type { Deployment } from './shapes.generated.ts';

const deployment = (id: string, rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'): Deployment => ({
  id,
  status: id === 'new' ? 'PRIMARY' : 'ACTIVE',
  rolloutState,
});

describe("a DAEMON service's rollout", () => {
  const table: [
    what: string,
    deployments: Deployment[],
    at: { withTasks: string[]; steady: boolean },
    expected: { retire: string[]; complete: boolean },
  ][] = [
    [
      'keeps the last completed deployment while the new one rolls out, though its tasks are gone',
      [deployment('new', 'IN_PROGRESS'), deployment('old', 'COMPLETED')],
      { withTasks: ['new'], steady: false },
      { retire: [], complete: false },
    ],
    [
      'retires the others meanwhile once their tasks are gone',
      [deployment('new', 'IN_PROGRESS'), deployment('failed', 'FAILED'), deployment('old', 'COMPLETED')],
      { withTasks: ['new'], steady: false },
      { retire: ['failed'], complete: false },
    ],
    [
      'completes once steady with no older task left, and retires the older deployments',
      [deployment('new', 'IN_PROGRESS'), deployment('old', 'COMPLETED')],
      { withTasks: ['new'], steady: true },
      { retire: ['old'], complete: true },
    ],
    [
      'does not complete while an older deployment still has a task',
      [deployment('new', 'IN_PROGRESS'), deployment('old', 'COMPLETED')],
      { withTasks: ['new', 'old'], steady: true },
      { retire: [], complete: false },
    ],
    [
      'keeps nothing for a failed deployment left without rollback',
      [deployment('new', 'FAILED'), deployment('old', 'COMPLETED')],
      { withTasks: [], steady: false },
      { retire: ['old'], complete: false },
    ],
  ];
  for (const [what, deployments, at, expected] of table) {
    it(what, () => {
      const rollout = daemonRollout(deployments, { hasTasks: (id) => at.withTasks.includes(id), steady: at.steady });
      assert.deepEqual(rollout, expected);
    });
  }
});
