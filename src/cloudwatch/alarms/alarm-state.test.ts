import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlarmRecord, CloudWatchRepository } from '../../store/index.ts';
import type { CloudWatchDeps } from '../deps.ts';
import type { AlarmActionSink, AlarmTransition } from './action-sink.ts';
import type { StoredAlarm } from './alarm-record.ts';
import { changeAlarmState } from './alarm-state.ts';

const SCALING = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:p';
const OTHER = 'arn:aws:sns:us-east-1:000000000000:topic';

/** One alarm in a fake repository (revisions checked), a clock the test moves, and the actions run. */
function world() {
  let now = 1_000_000;
  const alarm: StoredAlarm = {
    arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:high',
    config: { AlarmName: 'high', AlarmActions: [SCALING, OTHER], ComparisonOperator: 'GreaterThanThreshold' },
    actionsEnabled: true,
    configUpdatedAt: 0,
    state: { value: 'OK', reason: 'init', updatedAt: 0, transitionedAt: 0 },
    tags: [],
    evaluatedUntil: 0,
  };
  let record: AlarmRecord = { name: 'high', revision: 1, body: alarm as unknown as Record<string, unknown> };
  const repository = {
    getAlarm: async () => record,
    writeAlarm: async (next: { body: Readonly<Record<string, unknown>> }, options: { expectRevision?: number }) => {
      if (options.expectRevision !== record.revision) return false;
      record = { name: 'high', revision: record.revision + 1, body: next.body };
      return true;
    },
    appendHistory: async () => {},
  } as unknown as CloudWatchRepository;
  const ran: string[] = [];
  const actions: AlarmActionSink = {
    accepts: () => true,
    act: async (arn: string, transition: AlarmTransition) => {
      ran.push(`${arn === SCALING ? 'scaling' : 'sns'} ${transition.oldState}->${transition.newState}`);
    },
    repeats: (arn: string) => arn === SCALING,
  };
  const deps: CloudWatchDeps = {
    store: { cloudWatch: repository },
    clock: { now: () => new Date(now) },
    scope: { region: 'us-east-1', accountId: '000000000000' },
    actions,
  };
  const evaluate = (value: 'OK' | 'ALARM') =>
    changeAlarmState(deps, 'high', { value, reason: 'r', evaluatedUntil: now });
  return { ran, evaluate, advance: (ms: number) => (now += ms) };
}

describe('alarm actions', () => {
  it('run on a transition, and Auto Scaling ones once a minute while the alarm stays in the state', async () => {
    const { ran, evaluate, advance } = world();
    await evaluate('ALARM');
    assert.deepEqual(ran, ['scaling OK->ALARM', 'sns OK->ALARM']);
    advance(30_000);
    await evaluate('ALARM');
    assert.deepEqual(ran.length, 2, 'not before a minute');
    advance(30_000);
    await evaluate('ALARM');
    assert.deepEqual(ran.slice(2), ['scaling ALARM->ALARM']);
    advance(10_000);
    await evaluate('OK');
    advance(120_000);
    await evaluate('OK');
    assert.deepEqual(ran.slice(3), [], 'OK has no actions');
  });
});
